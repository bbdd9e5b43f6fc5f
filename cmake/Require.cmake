# SPDX-License-Identifier: GPL-2.0-only
# PAL_REQUIRE_ALL (CI, make test with PAL_REQUIRE_ALL=1): nothing may be left
# out. A test exits 77 to say it could not run here; without the option
# CTest counts that as skipped, with it as a failure. A tool that tests need
# and configure did not find fails configure instead of dropping the tests.
option(PAL_REQUIRE_ALL "A skipped test, or one left out for a missing tool, is a failure (CI)"
	OFF)

# pal_tests_may_skip(TEST...): exit 77 is a skip (a failure under PAL_REQUIRE_ALL).
function(pal_tests_may_skip)
	if(NOT PAL_REQUIRE_ALL)
		set_tests_properties(${ARGN} PROPERTIES SKIP_RETURN_CODE 77)
	endif()
endfunction()

# pal_require(VAR WHAT): under PAL_REQUIRE_ALL, configure fails when VAR is false.
function(pal_require var what)
	if(PAL_REQUIRE_ALL AND NOT ${var})
		message(FATAL_ERROR "PAL_REQUIRE_ALL: ${what} was not found, so its tests would be "
			"left out. Hint: run scripts/setup, which installs it.")
	endif()
endfunction()
