/* SPDX-License-Identifier: GPL-2.0-only */
/* Prometheus metrics endpoint (off by default; --metrics ADDR:PORT). */
#ifndef PALISADE_AGENT_METRICS_H
#define PALISADE_AGENT_METRICS_H
#endif
