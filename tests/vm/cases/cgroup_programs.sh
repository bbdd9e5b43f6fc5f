# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 180
# The cgroup program suite (tests/cgroup/test_cgroup.c: connect v4/v6/mapped,
# sendmsg, bind, socket, device, late cgroups, cleanup cycles, audit mode,
# stacking, ALLOW_MULTI coexistence), on the 6.1 BPF LSM kernel as well as
# natively. Each case asserts the errno and the ring buffer event.
. "$PAL_LIB"
# Fewer create/remove cycles than natively (10,000): TCG is ~50x slower.
PAL_CG_CYCLES=300 test_cgroup
rc=$?
[ $rc = 0 ] || pal_fail "test_cgroup exited $rc"
echo "ok: test_cgroup passed"
