// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/file.h"
#include "agent/log.h"
#include "agent/lsm.h"
#include "file.skel.h"

#define MAX_LINKS 32

struct pal_file {
	struct file_bpf *skel; /* NULL when the programs were adopted from pins */
	int files_fd; /* pal_files */
	int exes_fd; /* pal_exes */
	int link_fd[MAX_LINKS];
	int nlinks;
	char pin_dir[256]; /* "" when not pinning */
};

int pal_lsm_probe(char *why, size_t len)
{
	char lsms[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "re");
	bool found = false;

	if (!f) {
		snprintf(why, len,
			 "cannot read /sys/kernel/security/lsm (%s). Hint: mount securityfs "
			 "(mount -t securityfs none /sys/kernel/security)",
			 strerror(errno));
		return -EOPNOTSUPP;
	}
	if (!fgets(lsms, sizeof(lsms), f))
		lsms[0] = 0;
	fclose(f);
	lsms[strcspn(lsms, "\n")] = 0;
	for (char *save = NULL, *tok = strtok_r(lsms, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		found |= !strcmp(tok, "bpf");
	if (found)
		return 0;
	snprintf(why, len,
		 "BPF LSM is not active (active LSMs: '%s'). Hint: add bpf to lsm= on the kernel "
		 "command line, e.g. lsm=lockdown,capability,landlock,bpf, and reboot",
		 lsms);
	return -EOPNOTSUPP;
}

static void pin_path(char *buf, size_t len, const struct pal_file *f, const char *name)
{
	snprintf(buf, len, "%s/%s", f->pin_dir, name);
}

/* Adopt what an earlier agent left pinned: maps and links, no new programs. */
static int file_adopt(struct pal_file *f)
{
	char path[PATH_MAX];

	pin_path(path, sizeof(path), f, "pal_files");
	f->files_fd = bpf_obj_get(path);
	if (f->files_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	pin_path(path, sizeof(path), f, "pal_exes");
	f->exes_fd = bpf_obj_get(path);
	if (f->exes_fd < 0)
		return -errno;
	for (int i = 0; i < MAX_LINKS; i++) {
		snprintf(path, sizeof(path), "%s/links/file-%d", f->pin_dir, i);
		f->link_fd[i] = bpf_obj_get(path);
		if (f->link_fd[i] < 0)
			break;
		f->nlinks++;
	}
	if (!f->nlinks)
		return -ESTALE;
	pal_log(PAL_LOG_INFO, "file: adopted %d pinned LSM programs", f->nlinks);
	return 1;
}

static int pin_one(int fd, const char *path)
{
	if (bpf_obj_pin(fd, path))
		return pal_log_errno(-errno, "file: cannot pin '%s'", path);
	return 0;
}

static int file_pin(struct pal_file *f)
{
	char path[PATH_MAX];
	int err;

	pin_path(path, sizeof(path), f, "links");
	if (mkdir(path, 0700) && errno != EEXIST)
		return pal_log_errno(-errno, "file: cannot create '%s'", path);
	pin_path(path, sizeof(path), f, "pal_files");
	err = pin_one(f->files_fd, path);
	pin_path(path, sizeof(path), f, "pal_exes");
	if (!err)
		err = pin_one(f->exes_fd, path);
	for (int i = 0; i < f->nlinks && !err; i++) {
		snprintf(path, sizeof(path), "%s/links/file-%d", f->pin_dir, i);
		err = pin_one(f->link_fd[i], path); /* bpffs refuses names with dots */
	}
	return err;
}

static int file_load(struct pal_file *f, const struct pal_maps *maps)
{
	struct bpf_program *prog;
	int err;

	f->skel = file_bpf__open();
	if (!f->skel)
		return pal_log_errno(-errno, "file: cannot open the LSM object");
	/* Sized for both generations; NO_PREALLOC: memory follows the entries. */
	bpf_map__set_max_entries(f->skel->maps.pal_files, PAL_MAX_FILE_KEYS);
	err = pal_maps_reuse(maps, f->skel->obj);
	if (err)
		return pal_log_errno(err, "file: cannot share maps with the LSM object");
	err = file_bpf__load(f->skel);
	if (err)
		return pal_log_errno(err, "file: the kernel refused the LSM programs "
					  "(BPF LSM off, or no BTF?). Hint: run with -v for the "
					  "verifier log");
	bpf_object__for_each_program(prog, f->skel->obj)
	{
		struct bpf_link *link = bpf_program__attach(prog);

		if (!link)
			return pal_log_errno(-errno, "file: cannot attach '%s'",
					     bpf_program__name(prog));
		if (f->nlinks == MAX_LINKS)
			return pal_log_errno(-E2BIG, "file: more than %d programs", MAX_LINKS);
		f->link_fd[f->nlinks++] = dup(bpf_link__fd(link));
		bpf_link__disconnect(link); /* our dup'ed fd (or the pin) keeps it attached */
		bpf_link__destroy(link);
	}
	f->files_fd = dup(bpf_map__fd(f->skel->maps.pal_files));
	f->exes_fd = dup(bpf_map__fd(f->skel->maps.pal_exes));
	return 0;
}

int pal_file_open(struct pal_file **out, const struct pal_maps *maps, const char *pin_dir)
{
	struct pal_file *f = calloc(1, sizeof(*f));
	int err = 0;

	if (!f)
		return -ENOMEM;
	f->files_fd = f->exes_fd = -1;
	if (pin_dir) {
		snprintf(f->pin_dir, sizeof(f->pin_dir), "%s", pin_dir);
		err = file_adopt(f);
	}
	if (err < 0)
		pal_log_errno(err,
			      "file: cannot adopt the pins in '%s' (remove them to start "
			      "afresh)",
			      pin_dir);
	if (err == 0) {
		err = file_load(f, maps);
		if (!err && pin_dir)
			err = file_pin(f);
	}
	if (err < 0) {
		pal_file_close(f, false);
		return err;
	}
	*out = f;
	return 0;
}

int pal_file_write(struct pal_file *f, const struct pal_file_emit *em)
{
	for (size_t i = 0; i < em->nentries; i++)
		if (bpf_map_update_elem(f->files_fd, &em->entries[i].key, &em->entries[i].val,
					BPF_ANY))
			return -errno;
	for (size_t i = 0; i < em->nexes; i++) {
		if (!em->exes[i].exists)
			continue;
		if (bpf_map_update_elem(f->exes_fd, &em->exes[i].key, &em->exes[i].id, BPF_ANY))
			return -errno;
	}
	return 0;
}

int pal_file_clear_slot(struct pal_file *f, __u32 slot)
{
	int err = pal_map_clear_slot(f->files_fd, sizeof(struct pal_file_key),
				     offsetof(struct pal_file_key, gen), slot);

	return err ? err :
		     pal_map_clear_slot(f->exes_fd, sizeof(struct pal_exe_key),
					offsetof(struct pal_exe_key, gen), slot);
}

int pal_file_nlinks(const struct pal_file *f)
{
	return f->nlinks;
}

static void unpin_all(struct pal_file *f)
{
	char path[PATH_MAX];

	for (int i = 0; i < MAX_LINKS; i++) {
		snprintf(path, sizeof(path), "%s/links/file-%d", f->pin_dir, i);
		if (unlink(path) && errno == ENOENT)
			break;
	}
	pin_path(path, sizeof(path), f, "pal_files");
	unlink(path);
	pin_path(path, sizeof(path), f, "pal_exes");
	unlink(path);
}

void pal_file_close(struct pal_file *f, bool keep)
{
	if (!f)
		return;
	if (f->pin_dir[0] && !keep)
		unpin_all(f);
	for (int i = 0; i < f->nlinks; i++)
		close(f->link_fd[i]);
	if (f->files_fd >= 0)
		close(f->files_fd);
	if (f->exes_fd >= 0)
		close(f->exes_fd);
	file_bpf__destroy(f->skel);
	free(f);
}
