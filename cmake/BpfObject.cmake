# SPDX-License-Identifier: GPL-2.0-only
# pal_bpf_skeleton(NAME SRC): compile SRC (a *.bpf.c) into NAME.bpf.o with clang
# and generate NAME.skel.h (struct NAME_bpf) with bpftool, both in the build tree. The object is
# rebuilt whenever any header it includes changes (clang writes a depfile).
# Adds an INTERFACE library pal_skel_NAME whose include dir holds the skeleton.

find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(PAL_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${PAL_GEN_DIR})

# bpf_tracing.h wants the target architecture by its kernel name (arch/<name>).
# BPF_PROG does not use it; PT_REGS_* would. Override with -DPAL_BPF_ARCH=<name>.
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" pal_cpu)
if(pal_cpu MATCHES "^(x86_64|amd64|i.86)$")
	set(pal_bpf_arch x86)
elseif(pal_cpu MATCHES "^(aarch64|arm64)")
	set(pal_bpf_arch arm64)
elseif(pal_cpu MATCHES "^arm")
	set(pal_bpf_arch arm)
elseif(pal_cpu MATCHES "^(ppc|powerpc)")
	set(pal_bpf_arch powerpc)
elseif(pal_cpu MATCHES "^s390")
	set(pal_bpf_arch s390)
elseif(pal_cpu MATCHES "^riscv")
	set(pal_bpf_arch riscv)
elseif(pal_cpu MATCHES "^loongarch")
	set(pal_bpf_arch loongarch)
elseif(pal_cpu MATCHES "^mips")
	set(pal_bpf_arch mips)
else()
	set(pal_bpf_arch "")
endif()
set(PAL_BPF_ARCH "${pal_bpf_arch}" CACHE STRING
	"Kernel architecture name for the BPF programs' __TARGET_ARCH_<name>")
if(NOT PAL_BPF_ARCH)
	message(FATAL_ERROR "No BPF target architecture for CMAKE_SYSTEM_PROCESSOR "
		"'${CMAKE_SYSTEM_PROCESSOR}'. Hint: -DPAL_BPF_ARCH=<name as in the kernel's arch/>")
endif()

# vmlinux.h comes from the build host's BTF; CO-RE relocates it at load time.
# Skeletons depend on the pal_vmlinux target, not on the file: a custom command's
# OUTPUT is only known in its own directory to the Makefile generators. After the
# first build, each object's depfile names vmlinux.h, so a new one rebuilds them.
set(PAL_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "BTF used to generate vmlinux.h")
add_custom_command(
	OUTPUT ${PAL_GEN_DIR}/vmlinux.h
	COMMAND ${BPFTOOL} btf dump file ${PAL_VMLINUX_BTF} format c > ${PAL_GEN_DIR}/vmlinux.h.tmp
	COMMAND ${CMAKE_COMMAND} -E rename ${PAL_GEN_DIR}/vmlinux.h.tmp ${PAL_GEN_DIR}/vmlinux.h
	DEPENDS ${PAL_VMLINUX_BTF}
	COMMENT "Generating vmlinux.h from ${PAL_VMLINUX_BTF}")
add_custom_target(pal_vmlinux DEPENDS ${PAL_GEN_DIR}/vmlinux.h)

function(pal_bpf_skeleton NAME SRC)
	set(obj ${PAL_GEN_DIR}/${NAME}.bpf.o)
	set(skel ${PAL_GEN_DIR}/${NAME}.skel.h)
	get_filename_component(src ${SRC} ABSOLUTE)
	add_custom_command(
		OUTPUT ${obj}
		COMMAND ${BPF_CLANG} -target bpf -mcpu=v3 -D__TARGET_ARCH_${PAL_BPF_ARCH} -g -O2
			-Wall ${PAL_WERROR_FLAGS} -I${PAL_GEN_DIR} -I${CMAKE_SOURCE_DIR}
			-MD -MF ${obj}.d -c ${src} -o ${obj}
		DEPFILE ${obj}.d
		DEPENDS ${src}
		COMMENT "BPF ${NAME}.bpf.o")
	add_custom_command(
		OUTPUT ${skel}
		COMMAND ${BPFTOOL} gen skeleton ${obj} name ${NAME}_bpf > ${skel}.tmp
		COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
		DEPENDS ${obj}
		COMMENT "Skeleton ${NAME}.skel.h")
	add_custom_target(pal_skel_gen_${NAME} DEPENDS ${skel})
	add_dependencies(pal_skel_gen_${NAME} pal_vmlinux)
	add_library(pal_skel_${NAME} INTERFACE)
	target_include_directories(pal_skel_${NAME} INTERFACE ${PAL_GEN_DIR})
	add_dependencies(pal_skel_${NAME} pal_skel_gen_${NAME})
endfunction()
