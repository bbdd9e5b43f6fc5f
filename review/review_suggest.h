/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `palisade suggest`: what a workload was seen doing, gathered from audit
 * records, written back as an allow-list policy (policy language v1).
 */
#ifndef PALISADE_REVIEW_REVIEW_SUGGEST_H
#define PALISADE_REVIEW_REVIEW_SUGGEST_H

#include "review/review.h"

#define SG_MAX_NODES 200000 /* distinct paths (and their directories) kept */
#define SG_MAX_DESTS 4096 /* distinct connect destinations */
#define SG_MAX_PORTS 1024 /* ports per destination, and bind ports */
#define SG_MAX_NOTES 32 /* distinct reasons for skipped records, each with its first record */
#define SG_MAX_PROC_FORMS 16 /* distinct per-process path forms named in the /proc comment */
#define SG_MAX_CGROUPS 256 /* distinct cgroups remembered for target.cgroups */
#define SG_MAX_NAMESPACES 64 /* distinct namespaces remembered for target.containers */
#define SG_MIN_COLLAPSE_DEPTH 2 /* "/" and "/etc" are never collapsed */

#define SG_FILE_WORDS 13 /* read ... mmap-exec, connect, the bits of enum pal_file_access */
#define SG_DEV_WORDS 3 /* read write mknod */

/* One path component. A node is "direct" when that exact path was accessed. */
struct sg_node {
	char *name;
	struct sg_node *parent, *child, *next; /* children sorted by name */
	size_t depth; /* "/" is 0 */
	size_t nchild;
	bool direct;
	uint32_t access; /* file access bits of the exact path */
	uint64_t count;
	/* filled by the collapse pass */
	bool collapsed; /* written as one dirs: rule for everything below */
	uint32_t sub_access; /* access bits of this node and all below */
	uint64_t sub_count;
	size_t sub_direct; /* accessed paths at and below */
};

enum { SG_TCP = 1, SG_UDP = 2, SG_OTHER = 4 };

/* One connect destination (a host address) and what was seen going there. */
struct sg_dest {
	char cidr[64];
	uint16_t ports[SG_MAX_PORTS]; /* sorted */
	size_t nports;
	bool any_port; /* a record without a port: the rule must cover them all */
	unsigned int protocols; /* SG_TCP | SG_UDP | SG_OTHER */
	uint64_t count;
};

struct sg_dev {
	char type; /* 'c' or 'b' */
	int64_t major, minor;
	uint32_t access;
	uint64_t count;
};

struct rv_suggest {
	unsigned int collapse; /* siblings that turn a directory into a dirs: rule; 0 = never */
	struct sg_node *files; /* trie root ("/") */
	struct sg_node *execs;
	size_t nodes;
	struct sg_dest *dests;
	size_t ndests;
	uint16_t bind_ports[SG_MAX_PORTS];
	size_t nbind;
	uint64_t bind_count;
	char *families[16];
	uint64_t family_count[16];
	size_t nfamilies;
	struct sg_dev devs[256];
	size_t ndevs;
	char *cgroups[SG_MAX_CGROUPS];
	size_t ncgroups;
	/* the namespaces of the records, for container selectors */
	char *namespaces[SG_MAX_NAMESPACES];
	size_t nnamespaces;
	bool ns_missing; /* a record without a namespace */
	const char *ns_bad; /* a namespace that is not a Kubernetes name (first seen) */
	/* skipped records by reason: how many, and the first one as an example */
	struct sg_note {
		const char *why; /* a static string */
		uint64_t count;
		char *first;
	} notes[SG_MAX_NOTES];
	size_t nnotes;
	/* per-process paths (/proc/<pid>/...): rule paths cannot name the next run's pids */
	struct sg_proc {
		uint32_t access;
		uint64_t count;
		char *forms[SG_MAX_PROC_FORMS]; /* "/proc/<pid>/status", sorted */
		size_t nforms;
		bool more_forms; /* forms that did not fit */
	} proc;
	uint64_t records, skipped;
	int64_t first, last;
};

struct sg_entry;

/*
 * suggest --interactive: asked about every file and exec entry before the
 * YAML is written (entry i of n). It may set the entry's action or widen a
 * path to its directory. Returns 0 to go on, 1 to keep the rest as they
 * are.
 */
typedef int (*sg_review_fn)(struct sg_entry *e, bool exec, size_t i, size_t n, void *ctx);

struct rv_suggest_opts {
	const char *name; /* the policy name */
	const char *policy; /* --policy, for the header comment */
	const char *source; /* which records were used: "audit", "audit and deny" */
	const char *const *cgroups; /* target.cgroups, NULL: the observed ones */
	size_t ncgroups;
	/* target.containers instead of cgroups when container, pod or ns is set */
	const char *container, *pod, *ns;
	sg_review_fn review; /* NULL: every entry allowed as seen */
	void *review_ctx;
};

/* Whether the policy targets containers by name rather than cgroups. */
static inline bool rv_suggest_by_container(const struct rv_suggest_opts *o)
{
	return o->container || o->pod || o->ns;
}
/*
 * The namespaces container selectors name: --namespace, else the ones seen.
 * Returns how many; 0 with *err set when no selector can be written honestly.
 */
size_t rv_suggest_namespaces(const struct rv_suggest *s, const struct rv_suggest_opts *o,
			     const char *const **out, const char **err);

int rv_suggest_init(struct rv_suggest *s, unsigned int collapse);
void rv_suggest_free(struct rv_suggest *s);
/* Take one record. -E2BIG when a SG_MAX_* limit is reached. */
int rv_suggest_add(struct rv_suggest *s, const struct rv_rec *r);
int rv_suggest_yaml(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out);
/* ---- shared by the YAML (review_yaml.c) and JSON (review_json.c) writers ---- */

enum { SG_K_PATH, SG_K_DIR };
enum sg_action { SG_ALLOW, SG_DENY, SG_AUDIT, SG_SKIP }; /* SG_SKIP: no rule */

/* One path of a rule, or one directory of a dirs: rule. */
struct sg_entry {
	int kind;
	enum sg_action action;
	bool widened; /* a path widened to its directory by hand */
	char *path;
	uint32_t access;
	uint64_t count;
	size_t below; /* SG_K_DIR: accessed paths it stands for */
};

struct sg_entries {
	struct sg_entry *v;
	size_t n, cap;
};

/*
 * The file (or, with execs, exec) paths as rules will name them: collapsed
 * directories, sorted by kind, access words and path. Free with
 * sg_entries_free().
 */
int sg_entries_get(struct rv_suggest *s, bool execs, struct sg_entries *e);
void sg_entries_free(struct sg_entries *e);
/* Destinations sorted by address; those with one service share a connect rule. */
void sg_sort_dests(struct rv_suggest *s);
bool sg_same_service(const struct sg_dest *a, const struct sg_dest *b);
/* [22, "8000-8003"]: consecutive ports become a range; sep between items. */
void sg_ports(struct rv_buf *out, const uint16_t *p, size_t n, const char *sep);
/* The policy as JSON (suggest --json): {"policy": {...}, the counts, the skipped}. */
int rv_suggest_json(struct rv_suggest *s, const struct rv_suggest_opts *o, struct rv_buf *out);

/* Access words by bit, or NULL. */
const char *sg_file_word(unsigned int bit);
const char *sg_dev_word(unsigned int bit);
/* [a-z0-9-]{1,63}, as the policy language wants names. */
bool rv_suggest_name_ok(const char *name);

#endif /* PALISADE_REVIEW_REVIEW_SUGGEST_H */
