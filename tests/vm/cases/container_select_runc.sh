# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# container_select.sh with runc, whose init executes an in-memory copy of
# runc inside the container's new cgroup before the entrypoint: that copy
# must not arm the cgroup, and the entrypoint must.
PAL_CTR_RUNTIME=runc
. "$PAL_CASES/container_select.sh"
