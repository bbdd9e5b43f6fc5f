// SPDX-License-Identifier: GPL-2.0-only
/*
 * The steps the file hooks share (bpf/file_shared.bpf.c): loaded once
 * against the loaded hooks, then each put in place of its stub in every
 * hook that calls it (freplace links), before the hooks attach.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agent/file.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "file_shared.skel.h"

/* Does loaded program fd contain the function of BTF type id `func`? */
static bool prog_has_func(int fd, __u32 func)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info), n;
	struct bpf_func_info *fi;
	bool found = false;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.nr_func_info)
		return false;
	n = info.nr_func_info;
	fi = calloc(n, sizeof(*fi));
	if (!fi)
		return false;
	info = (struct bpf_prog_info){
		.nr_func_info = n,
		.func_info_rec_size = sizeof(*fi),
		.func_info = (__u64)(unsigned long)fi,
	};
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (__u32 i = 0; i < n && !found; i++)
			found = fi[i].type_id == func;
	free(fi);
	return found;
}

/* The shared steps' maps are the hooks' own: same names, same fds. */
static int share_maps(struct bpf_object *ext, struct bpf_object *hooks)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, ext)
	{
		struct bpf_map *src;

		if (bpf_map__is_internal(m))
			continue;
		src = bpf_object__find_map_by_name(hooks, bpf_map__name(m));
		if (!src || bpf_map__fd(src) < 0)
			return pal_log_errno(-ENOENT,
					     "file: the shared steps' map '%s' is not in "
					     "the hooks' object",
					     bpf_map__name(m));
		if (bpf_map__reuse_fd(m, bpf_map__fd(src)))
			return pal_log_errno(-errno,
					     "file: cannot share map '%s' with the "
					     "shared steps",
					     bpf_map__name(m));
	}
	return 0;
}

/* A shared step: the stub the hooks call, and the program that replaces it. */
struct step {
	const char *stub;
	struct bpf_program *prog;
	int func; /* the stub's BTF id in the hooks' object */
};

/* Replace the stub of every loaded hook that calls it; links go to l. */
static int replace_stub(struct pal_lsm *l, const struct step *s, struct bpf_object *hooks)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, hooks)
	{
		struct bpf_link *link;
		int fd = bpf_program__fd(prog);

		if (fd < 0 || !prog_has_func(fd, s->func))
			continue;
		if (l && l->nlinks == PAL_LSM_MAX_LINKS)
			return pal_log_errno(-E2BIG, "file: more than %d links", PAL_LSM_MAX_LINKS);
		link = bpf_program__attach_freplace(s->prog, fd, s->stub);
		if (!link)
			return pal_log_errno(-errno, "file: cannot put %s into '%s'", s->stub,
					     bpf_program__name(prog));
		n++;
		if (l) {
			l->link_fd[l->nlinks++] = dup(bpf_link__fd(link));
			bpf_link__disconnect(link); /* our fd, or the pin, keeps it */
		}
		bpf_link__destroy(link);
	}
	if (!n)
		return pal_log_errno(-ENOENT, "file: no hook calls %s", s->stub);
	return 0;
}

/* Verify s's program against the first loaded hook that calls its stub. */
static int set_target(struct step *s, struct bpf_object *hooks)
{
	const struct btf *btf = bpf_object__btf(hooks);
	struct bpf_program *prog;

	s->func = btf ? btf__find_by_name_kind(btf, s->stub, BTF_KIND_FUNC) : -ENOENT;
	if (s->func < 0)
		return pal_log_errno(-ENOENT, "file: the hooks' object has no %s", s->stub);
	bpf_object__for_each_program(prog, hooks)
	{
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && prog_has_func(fd, s->func))
			return bpf_program__set_attach_target(s->prog, fd, s->stub);
	}
	return pal_log_errno(-ENOENT, "file: no loaded hook calls %s", s->stub);
}

int pal_file_shared_attach(struct pal_lsm *l, struct bpf_object *hooks,
			   void (*before_load)(struct bpf_object *),
			   void (*after_load)(struct bpf_object *))
{
	struct file_shared_bpf *skel = file_shared_bpf__open();
	struct step steps[3];
	int err;

	if (!skel)
		return pal_log_errno(-errno, "file: cannot open the shared steps' object");
	steps[0] = (struct step){"pal_resolve", skel->progs.palisade_resolve, 0};
	steps[1] = (struct step){"pal_decide", skel->progs.palisade_decide, 0};
	steps[2] = (struct step){"pal_report", skel->progs.palisade_report, 0};
	err = share_maps(skel->obj, hooks);
	for (int i = 0; i < 3 && !err; i++)
		err = set_target(&steps[i], hooks);
	if (!err && before_load)
		before_load(skel->obj);
	if (!err) {
		err = file_shared_bpf__load(skel);
		if (err)
			pal_log_errno(err, "file: the kernel refused the shared steps' programs. "
					   "Hint: run with -v for the verifier log");
		if (after_load)
			after_load(skel->obj);
	}
	for (int i = 0; i < 3 && !err; i++)
		err = replace_stub(l, &steps[i], hooks);
	file_shared_bpf__destroy(skel); /* the links hold the programs */
	return err;
}
