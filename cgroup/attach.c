// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cgroup programs (bpf/net.bpf.c, bpf/dev.bpf.c): load them with rule
 * maps sized for a plan (rules.c), attach them to one tracked cgroup
 * (bpf_link, pinned so enforcement survives the agent) and detach them.
 * Calls only the node table (node.c) and the rule maps (rules.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup/internal.h"
#include "cgdev.skel.h"
#include "cgnet.skel.h"

struct prog_desc {
	const char *name; /* program name in the object, also the pin name */
	enum bpf_attach_type type;
	bool dev; /* in the device object */
};

static const struct prog_desc progs[PAL_CG_NPROGS] = {
	{"palisade_connect4", BPF_CGROUP_INET4_CONNECT, false},
	{"palisade_connect6", BPF_CGROUP_INET6_CONNECT, false},
	{"palisade_sendmsg4", BPF_CGROUP_UDP4_SENDMSG, false},
	{"palisade_sendmsg6", BPF_CGROUP_UDP6_SENDMSG, false},
	{"palisade_bind4", BPF_CGROUP_INET4_BIND, false},
	{"palisade_bind6", BPF_CGROUP_INET6_BIND, false},
	{"palisade_sock_create", BPF_CGROUP_INET_SOCK_CREATE, false},
	{"palisade_dev", BPF_CGROUP_DEVICE, true},
};

/* ---- attach / detach --------------------------------------------------- */

static void link_pin_path(const struct pal_cgroup *cg, const struct cg_node *n, int p, char *buf,
			  size_t len)
{
	snprintf(buf, len, "%s/cg-%llu-%s", cg->pin_dir, (unsigned long long)n->id,
		 progs[p].name + strlen("palisade_"));
}

void pal_cg_node_detach(struct pal_cgroup *cg, struct cg_node *n, bool unpin)
{
	for (int p = 0; p < PAL_CG_NPROGS; p++) {
		if (!n->links[p])
			continue;
		if (unpin && cg->pin_dir)
			bpf_link__unpin(n->links[p]);
		bpf_link__destroy(n->links[p]);
		n->links[p] = NULL;
	}
	n->attached = false;
}

/* One program on one cgroup: adopt a pinned link (swap in our program), or attach anew. */
static int attach_one(struct pal_cgroup *cg, struct cg_node *n, int p, int cgfd)
{
	char pin[PATH_MAX];
	struct bpf_link *l = NULL;

	if (cg->pin_dir) {
		link_pin_path(cg, n, p, pin, sizeof(pin));
		/* only an existing pin: libbpf warns about every missing one */
		if (!access(pin, F_OK))
			l = bpf_link__open(pin);
		if (l && bpf_link__update_program(l, cg->prog[p])) {
			bpf_link__destroy(l); /* stale pin of another program: replace it */
			unlink(pin);
			l = NULL;
		}
	}
	if (!l) {
		/* bpf_link attachments are always multi: they coexist with others' programs */
		l = bpf_program__attach_cgroup(cg->prog[p], cgfd);
		if (!l)
			return -errno;
		if (cg->pin_dir && bpf_link__pin(l, pin)) {
			int err = -errno;

			bpf_link__destroy(l);
			return err;
		}
	}
	n->links[p] = l;
	return 0;
}

int pal_cg_node_attach(struct pal_cgroup *cg, struct cg_node *n)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (n->attached)
		return 0;
	if (!strcmp(n->rel, "/") && (cg->flags & PAL_CG_NO_ROOT_ATTACH))
		return -EPERM;
	pal_cg_abs_path(cg, n->rel, path, sizeof(path));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (int p = 0; p < PAL_CG_NPROGS && !err; p++)
		if (cg->prog[p])
			err = attach_one(cg, n, p, fd);
	close(fd);
	if (err) {
		pal_cg_node_detach(cg, n, true);
		return err;
	}
	n->attached = true;
	return 0;
}

/* ---- host-wide BPF LSM programs of the network object -------------------- */

/*
 * With BPF LSM (PAL_CG_LSM_SOCKET), connect and sendmsg of the protocols the
 * cgroup hooks never see, and connect, sendmsg and bind with a socket from
 * another cgroup, are decided by LSM hooks in the same object (same rule maps). They are attached once, host-wide, and pick the policies by
 * the calling task's cgroup.
 */
static const char *const lsm_progs[PAL_CG_NLSM] = {"palisade_lsm_connect", "palisade_lsm_sendmsg",
						   "palisade_lsm_listen", "palisade_lsm_bind"};

static void lsm_pin_path(const struct pal_cgroup *cg, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", cg->pin_dir, lsm_progs[i] + strlen("palisade_"));
}

static void lsm_links_destroy(struct bpf_link **links)
{
	for (int i = 0; i < PAL_CG_NLSM; i++) {
		bpf_link__destroy(links[i]);
		links[i] = NULL;
	}
}

static void lsm_prepare(struct cgnet_bpf *net, bool lsm)
{
	net->rodata->pal_lsm_net = lsm;
	bpf_program__set_autoload(net->progs.palisade_lsm_connect, lsm);
	bpf_program__set_autoload(net->progs.palisade_lsm_sendmsg, lsm);
	bpf_program__set_autoload(net->progs.palisade_lsm_listen, lsm);
	bpf_program__set_autoload(net->progs.palisade_lsm_bind, lsm);
}

/* Attach the new object's LSM programs; the old ones stay until lsm_commit. */
static int lsm_attach(struct cgnet_bpf *net, struct bpf_link **links)
{
	for (int i = 0; i < PAL_CG_NLSM; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(net->obj, lsm_progs[i]);

		links[i] = p ? bpf_program__attach_lsm(p) : NULL;
		if (!links[i]) {
			int err = p ? -errno : -ENOENT;

			lsm_links_destroy(links);
			return err;
		}
	}
	return 0;
}

/* Pin the new links in place of the old pins (a pin of an earlier agent included). */
static void lsm_commit(struct pal_cgroup *cg, struct bpf_link **links)
{
	char pin[PATH_MAX];

	lsm_links_destroy(cg->lsm_links);
	for (int i = 0; i < PAL_CG_NLSM; i++) {
		cg->lsm_links[i] = links[i];
		if (!cg->pin_dir)
			continue;
		lsm_pin_path(cg, i, pin, sizeof(pin));
		unlink(pin);
		if (bpf_link__pin(links[i], pin))
			snprintf(cg->why, sizeof(cg->why), "cannot pin the LSM link '%s': %s",
				 lsm_progs[i], strerror(errno));
	}
}

static bool attached_id(const struct pal_cgroup *cg, __u64 id)
{
	for (int b = 0; b < PAL_CG_NODE_BUCKETS; b++)
		for (const struct cg_node *n = cg->nodes[b]; n; n = n->next)
			if (n->id == id && n->attached)
				return true;
	return false;
}

void pal_cg_drop_foreign_link_pins(struct pal_cgroup *cg)
{
	unsigned long long id;
	char pin[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (!cg->pin_dir || !(d = opendir(cg->pin_dir)))
		return;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "cg-%llu-", &id) == 1 && !attached_id(cg, id)) {
			snprintf(pin, sizeof(pin), "%s/%s", cg->pin_dir, e->d_name);
			unlink(pin);
		}
	closedir(d);
}

bool pal_cg_pins_left(const struct pal_cgroup *cg)
{
	struct dirent *e;
	bool left = false;
	DIR *d;

	if (!cg->pin_dir || !(d = opendir(cg->pin_dir)))
		return false;
	while (!left && (e = readdir(d))) {
		left = !strncmp(e->d_name, "cg-", 3) || pal_cg_rule_pin_name(e->d_name);
		for (int i = 0; i < PAL_CG_NLSM && !left; i++)
			left = !strcmp(e->d_name, lsm_progs[i] + strlen("palisade_"));
	}
	closedir(d);
	return left;
}

void pal_cg_lsm_detach(struct pal_cgroup *cg, bool keep)
{
	for (int i = 0; i < PAL_CG_NLSM; i++) {
		if (!cg->lsm_links[i])
			continue;
		if (keep)
			bpf_link__disconnect(cg->lsm_links[i]);
		else if (cg->pin_dir)
			bpf_link__unpin(cg->lsm_links[i]);
	}
	lsm_links_destroy(cg->lsm_links);
}

/* ---- loading ------------------------------------------------------------ */

/*
 * Load the programs with rule maps sized for pl (and the live plan). On a
 * reload that outgrew the maps, this builds a second set of objects, copies
 * the live slot into it and swaps every link to the new programs
 * (bpf_link__update_program: atomic per cgroup, never a gap) before the
 * agent flips the generation; the old objects are then released.
 */
int pal_cg_load_objects(struct pal_cgroup *cg, const struct slot_plan *pl)
{
	const struct slot_plan *live = cg->live >= 0 ? &cg->plan[cg->live] : NULL;
	struct cgnet_bpf *net = cgnet_bpf__open();
	struct cgdev_bpf *dev = cgdev_bpf__open();
	struct bpf_program *prog[PAL_CG_NPROGS] = {0};
	struct bpf_link *lsm_links[PAL_CG_NLSM] = {0};
	bool lsm = cg->flags & PAL_CG_LSM_SOCKET;
	struct cgnet_bpf *old_net = cg->net;
	struct cgdev_bpf *old_dev = cg->dev;
	bool dev_ok, adopted = false;
	int err, dev_err;

	if (!net || !dev) {
		err = -errno;
		goto fail;
	}
	lsm_prepare(net, lsm);
	err = pal_maps_reuse(&cg->maps, net->obj);
	err = err ?: pal_maps_reuse(&cg->maps, dev->obj);
	err = err ?: pal_cg_size_maps(net, dev, pl, live);
	/* the first load takes over the rule maps a killed or stopped agent left */
	adopted = !cg->loaded && pal_cg_adopt_rule_maps(cg, net, dev);
	err = err ?: cgnet_bpf__load(net);
	if (err)
		goto fail;
	/* The device hook's helpers need a newer kernel than the socket hooks' (6.2). */
	dev_err = cgdev_bpf__load(dev);
	dev_ok = !dev_err;
	for (int p = 0; p < PAL_CG_NPROGS; p++) {
		struct bpf_object *obj = progs[p].dev ? dev->obj : net->obj;

		if (progs[p].dev && !dev_ok)
			continue;
		prog[p] = bpf_object__find_program_by_name(obj, progs[p].name);
		if (!prog[p]) {
			err = -ENOENT;
			goto fail;
		}
	}
	if (lsm && (err = lsm_attach(net, lsm_links)))
		goto fail;
	cg->net = net;
	cg->dev = dev;
	if (live && cg->loaded) {
		bool old_dev_ok = cg->dev_ok;

		cg->dev_ok = dev_ok;
		err = pal_cg_rules_write(cg, live, cg->live);
		cg->dev_ok = old_dev_ok;
		for (int b = 0; !err && b < PAL_CG_NODE_BUCKETS; b++)
			for (struct cg_node *n = cg->nodes[b]; n && !err; n = n->next)
				for (int p = 0; p < PAL_CG_NPROGS && !err; p++)
					if (n->links[p] && prog[p] &&
					    bpf_link__update_program(n->links[p], prog[p]))
						err = -errno;
		if (err) {
			/* links already swapped keep the new programs alive: fine, both are live */
			cg->net = old_net;
			cg->dev = old_dev;
			goto fail;
		}
		cgnet_bpf__destroy(old_net);
		cgdev_bpf__destroy(old_dev);
	} else {
		cgnet_bpf__destroy(old_net);
		cgdev_bpf__destroy(old_dev);
	}
	if (lsm)
		lsm_commit(cg, lsm_links);
	memcpy(cg->prog, prog, sizeof(prog));
	cg->dev_ok = dev_ok;
	cg->dev_err = dev_err;
	cg->loaded = true;
	if (adopted)
		cg->stale[0] = cg->stale[1] = true;
	else if ((err = pal_cg_pin_rule_maps(cg, net, dev)))
		snprintf(cg->why, sizeof(cg->why), "cannot pin the rule maps: %s", strerror(-err));
	return err;
fail:
	lsm_links_destroy(lsm_links);
	cgnet_bpf__destroy(net);
	cgdev_bpf__destroy(dev);
	return err;
}
