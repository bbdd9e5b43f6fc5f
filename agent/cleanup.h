/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Scope-bound cleanup (__attribute__((cleanup))): a variable declared with
 * one of these is released when it goes out of scope, on every return path.
 * TAKE_PTR() and TAKE_FD() hand what it holds on and leave nothing to release.
 */
#ifndef PALISADE_AGENT_CLEANUP_H
#define PALISADE_AGENT_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

/* Defines void FUNCp(TYPE *p), which calls FUNC(*p) unless *p is NULL. */
#define PAL_DEFINE_CLEANUP_FUNC(type, func) \
	static inline void func##p(type *p) \
	{                                   \
		if (*p)                     \
			func(*p);           \
	}

static inline void pal_freep(void *p)
{
	free(*(void **)p);
}

/* Keeps errno: a caller may still read the errno of the failure that ended the scope. */
static inline void pal_closep(const int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

#define _cleanup_free_ _cleanup_(pal_freep)
#define _cleanup_close_ _cleanup_(pal_closep)

/*
 * A bpftool skeleton (struct NAME), destroyed with NAME__destroy():
 *	PAL_DEFINE_SKEL_CLEANUP(guard_bpf)
 *	_cleanup_skel_(guard_bpf) struct guard_bpf *skel = guard_bpf__open();
 */
#define PAL_DEFINE_SKEL_CLEANUP(name) PAL_DEFINE_CLEANUP_FUNC(struct name *, name##__destroy)
#define _cleanup_skel_(name) _cleanup_(name##__destroyp)

/* The pointer or fd a cleanup variable holds, which it no longer releases. */
#define TAKE_PTR(p)                 \
	({                          \
		typeof(p) _p = (p); \
		(p) = NULL;         \
		_p;                 \
	})
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

#endif
