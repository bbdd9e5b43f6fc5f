/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every LSM object of the agent does with its programs and own maps:
 * attach them and pin them under the pin dir (so enforcement survives the
 * agent), or adopt the pins an earlier agent left. Pins are
 * <pin_dir>/<map name> and <pin_dir>/links/<tag>-N (bpffs forbids dots).
 */
#ifndef PALISADE_AGENT_LSM_H
#define PALISADE_AGENT_LSM_H

#include <stdbool.h>
#include <bpf/libbpf.h>

/* links of one LSM object: file.bpf.c has 33 hooks on 6.2 and later, each with up to 3 shared steps */
#define PAL_LSM_MAX_LINKS 128
#define PAL_LSM_MAX_MAPS 12 /* maps of one object pinned for its next agent */

struct pal_lsm {
	const char *tag; /* "guard", "socket": names the link pins */
	const char *const *map_names; /* the object's own maps, pinned and adopted */
	int nmaps;
	char pin_dir[256];
	int map_fd[PAL_LSM_MAX_MAPS];
	int link_fd[PAL_LSM_MAX_LINKS];
	int nlinks;
	bool adopted;
};

/*
 * Make or take over a pin directory: a directory owned by root, mode 0400.
 * With no search bit, looking up a name in it needs CAP_DAC_READ_SEARCH,
 * which the guard refuses every task but the agent (bpf/guard.bpf.c);
 * listing it needs none. 0, or -errno.
 */
#define PAL_PIN_DIR_MODE 0400
int pal_pin_dir_make(const char *path);
/* Set up l; then adopt, or load the object yourself and attach it. */
void pal_lsm_init(struct pal_lsm *l, const char *tag, const char *const *map_names, int nmaps,
		  const char *pin_dir);
/* Adopt pins: 1 adopted, 0 nothing pinned, or -errno (a partial set). */
int pal_lsm_adopt(struct pal_lsm *l);
/*
 * Attach every loaded program of obj but those skip (if set) says to leave,
 * keep fds to its maps, pin all.
 */
int pal_lsm_attach(struct pal_lsm *l, struct bpf_object *obj,
		   bool (*skip)(const struct bpf_program *prog));
/* Pin BPF object fd at path: 0, or -errno (logged). */
int pal_pin(int fd, const char *path);
/* The program link_fd attaches, into *pi: 0, or -errno. */
int pal_lsm_link_prog(int link_fd, struct bpf_prog_info *pi);
/* keep: leave everything pinned (enforcement continues); else unpin. */
void pal_lsm_close(struct pal_lsm *l, bool keep);

#endif
