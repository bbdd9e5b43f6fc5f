/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The audit stream without the kernel: an enforcer whose policy sets are
 * plain structs, for feeding records to agent/events.c (test_events,
 * bench/palbench_events).
 */
#ifndef PALISADE_TESTS_AGENT_EVENTS_FIXTURE_H
#define PALISADE_TESTS_AGENT_EVENTS_FIXTURE_H

#include "agent/reload.h"

#define FX_GENERATION 7 /* the live generation; FX_GENERATION - 1 is the previous one */

/* Two policies live ("web", enforce; "lab", audit) and one previous ("old"). */
void fx_enforcer_init(struct pal_enforcer *en);

#endif
