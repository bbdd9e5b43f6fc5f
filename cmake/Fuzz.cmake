# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets need clang; they are built with their own flags (ASan +
# UBSan, no recovery), outside the gcc build. Without clang there are none.
find_program(PAL_FUZZ_CLANG NAMES clang-14 clang)

# pal_fuzz_binary(NAME SOURCES files... [DEPENDS headers...] [LIBS -lx...]):
# ${CMAKE_CURRENT_BINARY_DIR}/NAME, built by `all`.
function(pal_fuzz_binary name)
	cmake_parse_arguments(F "" "" "SOURCES;DEPENDS;LIBS" ${ARGN})
	set(bin ${CMAKE_CURRENT_BINARY_DIR}/${name})
	add_custom_command(OUTPUT ${bin}
		COMMAND ${PAL_FUZZ_CLANG} -g -O1 -fsanitize=fuzzer,address,undefined
			-fno-sanitize-recover=all -D_GNU_SOURCE -std=gnu11 -Wall ${PAL_WERROR_FLAGS}
			-Wno-unused-parameter -I${CMAKE_SOURCE_DIR} ${F_SOURCES} ${F_LIBS} -o ${bin}
		DEPENDS ${F_SOURCES} ${F_DEPENDS}
		COMMENT "libFuzzer ${name}")
	add_custom_target(${name}_bin ALL DEPENDS ${bin})
endfunction()
