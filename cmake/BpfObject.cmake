# SPDX-License-Identifier: GPL-2.0-only
# pal_bpf_skeleton(NAME SRC): compile SRC (a *.bpf.c) into NAME.bpf.o with clang
# and generate NAME.skel.h (struct NAME_bpf) with bpftool, both in the build tree. The object is
# rebuilt whenever any header it includes changes (clang writes a depfile).
# Adds an INTERFACE library pal_skel_NAME whose include dir holds the skeleton.

find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(PAL_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${PAL_GEN_DIR})

# vmlinux.h comes from the build host's BTF; CO-RE relocates it at load time.
set(PAL_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")
add_custom_command(
	OUTPUT ${PAL_GEN_DIR}/vmlinux.h
	COMMAND ${BPFTOOL} btf dump file ${PAL_VMLINUX_BTF} format c > ${PAL_GEN_DIR}/vmlinux.h
	DEPENDS ${PAL_VMLINUX_BTF}
	COMMENT "Generating vmlinux.h from ${PAL_VMLINUX_BTF}")
add_custom_target(pal_vmlinux DEPENDS ${PAL_GEN_DIR}/vmlinux.h)

function(pal_bpf_skeleton NAME SRC)
	set(obj ${PAL_GEN_DIR}/${NAME}.bpf.o)
	set(skel ${PAL_GEN_DIR}/${NAME}.skel.h)
	get_filename_component(src ${SRC} ABSOLUTE)
	add_custom_command(
		OUTPUT ${obj}
		COMMAND ${BPF_CLANG} -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -g -O2 -Wall -Werror
			-I${PAL_GEN_DIR} -I${CMAKE_SOURCE_DIR}
			-MD -MF ${obj}.d -c ${src} -o ${obj}
		DEPFILE ${obj}.d
		DEPENDS ${src} ${PAL_GEN_DIR}/vmlinux.h
		COMMENT "BPF ${NAME}.bpf.o")
	add_custom_command(
		OUTPUT ${skel}
		COMMAND ${BPFTOOL} gen skeleton ${obj} name ${NAME}_bpf > ${skel}
		DEPENDS ${obj}
		COMMENT "Skeleton ${NAME}.skel.h")
	add_custom_target(pal_skel_gen_${NAME} DEPENDS ${skel})
	add_library(pal_skel_${NAME} INTERFACE)
	target_include_directories(pal_skel_${NAME} INTERFACE ${PAL_GEN_DIR})
	add_dependencies(pal_skel_${NAME} pal_skel_gen_${NAME})
endfunction()
