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

/* The stubs the hooks call, in the order of struct pal_file_steps. */
static const char *const stubs[PAL_FILE_STEPS] = {"pal_resolve", "pal_decide", "pal_report"};

static struct bpf_program *step_prog(struct file_shared_bpf *skel, int i)
{
	struct bpf_program *p[PAL_FILE_STEPS] = {skel->progs.palisade_resolve,
						 skel->progs.palisade_decide,
						 skel->progs.palisade_report};

	return p[i];
}

void pal_file_steps_init(struct pal_file_steps *s)
{
	for (int i = 0; i < PAL_FILE_STEPS; i++)
		s->fd[i] = s->func[i] = -1;
}

/* The first loaded program of hooks that calls stub func, or NULL. */
static struct bpf_program *first_caller(struct bpf_object *hooks, int func)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, hooks)
	{
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && prog_has_func(fd, func))
			return prog;
	}
	return NULL;
}

/* Which steps to load now: each that s lacks and a loaded hook calls, set to verify against it. */
static int choose_steps(struct pal_file_steps *s, struct file_shared_bpf *skel,
			struct bpf_object *hooks, int *nload)
{
	const struct btf *btf = bpf_object__btf(hooks);

	*nload = 0;
	for (int i = 0; i < PAL_FILE_STEPS; i++) {
		struct bpf_program *caller;
		int err;

		s->func[i] = btf ? btf__find_by_name_kind(btf, stubs[i], BTF_KIND_FUNC) : -ENOENT;
		if (s->func[i] < 0)
			return pal_log_errno(-ENOENT, "file: the hooks' object has no %s",
					     stubs[i]);
		caller = s->fd[i] < 0 ? first_caller(hooks, s->func[i]) : NULL;
		bpf_program__set_autoload(step_prog(skel, i), caller != NULL);
		if (!caller)
			continue;
		err = bpf_program__set_attach_target(step_prog(skel, i), bpf_program__fd(caller),
						     stubs[i]);
		if (err)
			return pal_log_errno(err, "file: cannot aim %s at '%s'", stubs[i],
					     bpf_program__name(caller));
		(*nload)++;
	}
	return 0;
}

/* Keep the loaded steps' programs: later hooks get the same ones. */
static int keep_steps(struct pal_file_steps *s, struct file_shared_bpf *skel)
{
	for (int i = 0; i < PAL_FILE_STEPS; i++) {
		struct bpf_program *p = step_prog(skel, i);

		if (!bpf_program__autoload(p))
			continue;
		s->fd[i] = dup(bpf_program__fd(p));
		if (s->fd[i] < 0)
			return pal_log_errno(-errno, "file: cannot keep %s", stubs[i]);
	}
	return 0;
}

int pal_file_steps_load(struct pal_file_steps *s, struct bpf_object *hooks,
			void (*before_load)(struct bpf_object *),
			void (*after_load)(struct bpf_object *))
{
	struct file_shared_bpf *skel = file_shared_bpf__open();
	int err, nload = 0;

	if (!skel)
		return pal_log_errno(-errno, "file: cannot open the shared steps' object");
	err = choose_steps(s, skel, hooks, &nload);
	if (!err && nload)
		err = share_maps(skel->obj, hooks);
	if (!err && nload && before_load)
		before_load(skel->obj);
	if (!err && nload) {
		err = file_shared_bpf__load(skel);
		if (err)
			pal_log_errno(err, "file: the kernel refused the shared steps' programs. "
					   "Hint: run with -v for the verifier log");
		if (after_load)
			after_load(skel->obj);
	}
	if (!err && nload)
		err = keep_steps(s, skel);
	file_shared_bpf__destroy(skel); /* our fds hold the programs */
	return err;
}

int pal_file_steps_put(const struct pal_file_steps *s, int prog_fd, const char *name, int *links)
{
	int n = 0, i, fd;

	for (i = 0; i < PAL_FILE_STEPS; i++) {
		LIBBPF_OPTS(bpf_link_create_opts, o, .target_btf_id = (__u32)s->func[i]);

		if (s->func[i] < 0 || !prog_has_func(prog_fd, s->func[i]))
			continue;
		/* the step's program, verified against another hook, goes into this one too */
		fd = s->fd[i] < 0 ? -ENOENT : bpf_link_create(s->fd[i], prog_fd, 0, &o);
		if (fd < 0)
			break;
		links[n++] = fd;
	}
	if (i == PAL_FILE_STEPS)
		return n;
	fd = fd == -ENOENT ? fd : -errno;
	while (n > 0)
		close(links[--n]);
	return pal_log_errno(fd, "file: cannot put %s into '%s'", stubs[i], name);
}

void pal_file_steps_close(struct pal_file_steps *s)
{
	for (int i = 0; i < PAL_FILE_STEPS; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
}
