# SPDX-License-Identifier: GPL-2.0-only
# Install layout, man pages, the .deb and the .rpm (CPack). Owned by deploy/.
#
#   cmake --install build                    # into / (prefix /usr)
#   DESTDIR=/tmp/stage cmake --install build # staged
#   cd build && cpack -G DEB                 # palisade_<version>-1_<arch>.deb
#   cd build && cpack -G RPM                 # palisade-<version>-1.<arch>.rpm
#
# The prefix defaults to /usr, where the unit expects the binary. /etc paths
# follow GNUInstallDirs: with prefix /usr they are /etc, with another prefix
# PREFIX/etc (and the unit is rewritten to match).

if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
	set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix" FORCE)
endif()
include(GNUInstallDirs)

set(PAL_DEPLOY_SRC ${CMAKE_SOURCE_DIR}/deploy)
set(PAL_DEPLOY_BIN ${CMAKE_BINARY_DIR}/deploy)
file(MAKE_DIRECTORY ${PAL_DEPLOY_BIN})
set(PAL_ETC_DIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/palisade)
set(PAL_CONFIG_FILE ${PAL_ETC_DIR}/palisade.yaml)

# systemd's own idea of where system units go, else Debian's default.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
	pkg_get_variable(PAL_PC_UNITDIR systemd systemdsystemunitdir)
endif()
# -DPAL_SYSTEMD_UNIT_DIR=... overrides; otherwise it follows the prefix.
if(NOT DEFINED PAL_SYSTEMD_UNIT_DIR)
	if(PAL_PC_UNITDIR)
		set(PAL_SYSTEMD_UNIT_DIR ${PAL_PC_UNITDIR})
	else()
		set(PAL_SYSTEMD_UNIT_DIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
	endif()
endif()

# ---- the unit, with this install's paths --------------------------------
file(READ ${PAL_DEPLOY_SRC}/palisade.service pal_unit)
string(REPLACE "/usr/sbin/palisade" "${CMAKE_INSTALL_FULL_SBINDIR}/palisade" pal_unit "${pal_unit}")
string(REPLACE "/etc/palisade/palisade.yaml" "${PAL_CONFIG_FILE}" pal_unit "${pal_unit}")
file(CONFIGURE OUTPUT ${PAL_DEPLOY_BIN}/palisade.service CONTENT "${pal_unit}" @ONLY)
set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
	${PAL_DEPLOY_SRC}/palisade.service)

# ---- man pages: scdoc sources rendered (and gzipped) in the build --------
find_program(SCDOC scdoc)
pal_require(SCDOC "scdoc (the man pages)")
set(PAL_MAN_SRC ${CMAKE_SOURCE_DIR}/docs/man)
set(PAL_MAN_BIN ${CMAKE_BINARY_DIR}/docs/man)
set(PAL_MAN_PAGES palisade.8 palisade-policy.5 palisade-audit.5)
if(SCDOC)
	file(MAKE_DIRECTORY ${PAL_MAN_BIN})
	set(pal_man_outputs)
	foreach(page ${PAL_MAN_PAGES})
		set(out ${PAL_MAN_BIN}/${page})
		add_custom_command(
			OUTPUT ${out} ${out}.gz
			COMMAND sh -c "\"$1\" < \"$2\" > \"$3.tmp\" && mv \"$3.tmp\" \"$3\"" sh
				${SCDOC} ${PAL_MAN_SRC}/${page}.scd ${out}
			# -n: no file name or time stamp in the gzip header
			COMMAND sh -c "gzip -9 -n -c \"$1\" > \"$1.gz\"" sh ${out}
			DEPENDS ${PAL_MAN_SRC}/${page}.scd
			COMMENT "Rendering man page ${page}"
			VERBATIM)
		list(APPEND pal_man_outputs ${out} ${out}.gz)
		string(REGEX REPLACE "^.*\\.([0-9])$" "\\1" sect ${page})
		install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${sect})
	endforeach()
	add_custom_target(man ALL DEPENDS ${pal_man_outputs})
else()
	message(WARNING "scdoc not found (Debian package scdoc): man pages are not built "
		"or installed")
endif()

# ---- install rules -------------------------------------------------------
install(TARGETS palisade RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${PAL_DEPLOY_SRC}/palisade.yaml DESTINATION ${PAL_ETC_DIR}
	PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# The agent refuses a policy directory that is not root's and 0755 at most.
install(DIRECTORY DESTINATION ${PAL_ETC_DIR}/policies
	DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
	WORLD_READ WORLD_EXECUTE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/policies/examples/
	DESTINATION ${CMAKE_INSTALL_DATADIR}/palisade/examples
	FILES_MATCHING PATTERN "*.yaml")
install(FILES ${PAL_DEPLOY_BIN}/palisade.service DESTINATION ${PAL_SYSTEMD_UNIT_DIR})
install(FILES ${PAL_DEPLOY_SRC}/logrotate DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d
	RENAME palisade)
install(FILES ${PAL_DEPLOY_SRC}/bash-completion/palisade
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${PAL_DEPLOY_SRC}/zsh-completion/_palisade
	DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PAL_DEPLOY_SRC}/fish-completion/palisade.fish
	DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${PAL_DEPLOY_SRC}/kubernetes/daemonset.yaml ${PAL_DEPLOY_SRC}/kubernetes/configmap.yaml
	DESTINATION ${CMAKE_INSTALL_DATADIR}/palisade/kubernetes)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/debian/copyright
	DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- the .deb -----------------------------------------------------------
set(CPACK_GENERATOR DEB RPM)
set(CPACK_PACKAGE_NAME palisade)
set(CPACK_PACKAGE_VENDOR "Palisade developers")
set(PAL_DEB_MAINTAINER "Palisade maintainers <maintainers@palisade.invalid>" CACHE STRING
	"Maintainer field of the .deb: set it to whoever publishes the package")
set(CPACK_PACKAGE_CONTACT "${PAL_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "host security agent enforcing YAML policies with BPF LSM")
set(CPACK_PACKAGE_DESCRIPTION
	"Palisade compiles YAML policies into BPF maps. BPF LSM and cgroup programs\n"
	"enforce file, exec, network and device access, for the whole host or for\n"
	"container cgroups, and every denial is written to a JSON audit log.\n"
	"Policies reload atomically, and enforcement survives an agent restart.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
# Debian revision 1: the package of this upstream version (a non-native
# package, so its changelog is changelog.Debian.gz).
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(PAL_DEB_VERSION ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})
# Packages ship stripped binaries (Debian policy 10.1); the build tree keeps its symbols.
set(CPACK_STRIP_FILES ON)

# changelog.Debian.gz: one entry for this version. Its date honours
# SOURCE_DATE_EPOCH (string(TIMESTAMP) does), for a reproducible package.
string(TIMESTAMP PAL_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(READ ${PAL_DEPLOY_SRC}/debian/changelog.in pal_changelog)
string(REGEX REPLACE "^#[^\n]*\n" "" pal_changelog "${pal_changelog}")
string(CONFIGURE "${pal_changelog}" pal_changelog @ONLY)
file(WRITE ${PAL_DEPLOY_BIN}/changelog.Debian "${pal_changelog}")
set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
	${PAL_DEPLOY_SRC}/debian/changelog.in)
add_custom_command(OUTPUT ${PAL_DEPLOY_BIN}/changelog.Debian.gz
	COMMAND sh -c "gzip -9 -n -c \"$1\" > \"$1.gz\"" sh ${PAL_DEPLOY_BIN}/changelog.Debian
	DEPENDS ${PAL_DEPLOY_BIN}/changelog.Debian
	VERBATIM)
add_custom_target(deb-changelog ALL DEPENDS ${PAL_DEPLOY_BIN}/changelog.Debian.gz)
install(FILES ${PAL_DEPLOY_BIN}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Lintian tags this package accepts, each with its reason.
install(FILES ${PAL_DEPLOY_SRC}/debian/lintian-overrides
	DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME palisade)

# Runtime libraries, one Debian package each (checked with dpkg -S on the
# .so files). At package time dpkg-shlibdeps (dpkg-dev) adds minimum versions
# and whatever else the binary links (libc6); deploy/debian/deb-depends.cmake.in
# merges the two lists without duplicates.
set(PAL_DEB_DEPENDS libbpf1 libelf1 zlib1g libyaml-0-2 libcap2 libjson-c5 libaudit1)
if(MHD_FOUND)
	list(APPEND PAL_DEB_DEPENDS libmicrohttpd12)
endif()
# For tests/deploy (configured before this file is read).
file(WRITE ${PAL_DEPLOY_BIN}/deb-depends.txt "${PAL_DEB_DEPENDS}")
find_program(PAL_DPKG_SHLIBDEPS dpkg-shlibdeps)
configure_file(${PAL_DEPLOY_SRC}/debian/deb-depends.cmake.in
	${PAL_DEPLOY_BIN}/deb-depends.cmake.gen @ONLY)
file(GENERATE OUTPUT ${PAL_DEPLOY_BIN}/deb-depends.cmake
	INPUT ${PAL_DEPLOY_BIN}/deb-depends.cmake.gen)
set(CPACK_PROJECT_CONFIG_FILE ${PAL_DEPLOY_BIN}/deb-depends.cmake)

# /etc files are conffiles: dpkg keeps an administrator's edits on upgrade.
file(WRITE ${PAL_DEPLOY_BIN}/conffiles
	"${PAL_CONFIG_FILE}\n${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d/palisade\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PAL_DEPLOY_BIN}/conffiles
	${PAL_DEPLOY_SRC}/debian/postinst ${PAL_DEPLOY_SRC}/debian/prerm
	${PAL_DEPLOY_SRC}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# ---- the .rpm (cpack -G RPM; rpmbuild from Debian's rpm package) ---------
# Requires come from rpmbuild's own scan of the binary's libraries.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE "GPL-2.0-only")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_URL "https://palisade.invalid/")
set(CPACK_RPM_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# No /usr/lib/.build-id links: debug symbols are not packaged.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
# An administrator's edits survive upgrades, as conffiles do in the .deb.
# CPack would mark every file installed to an absolute path %config: the
# unit and the policy directory are listed here as what they are.
set(CPACK_RPM_USER_FILELIST "%config(noreplace) ${PAL_CONFIG_FILE}"
	"%config(noreplace) ${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d/palisade"
	"%attr(0644,root,root) ${PAL_SYSTEMD_UNIT_DIR}/palisade.service"
	"%attr(0755,root,root) %dir ${PAL_ETC_DIR}/policies/")
set(CPACK_PACKAGE_RELOCATABLE OFF) # the unit and /etc name fixed paths
string(TIMESTAMP pal_rpm_date "%a %b %d %Y" UTC)
file(WRITE ${PAL_DEPLOY_BIN}/rpm-changelog
	"* ${pal_rpm_date} ${PAL_DEB_MAINTAINER} - ${PROJECT_VERSION}-1\n"
	"- Palisade ${PROJECT_VERSION}, packaged from its source tree with CPack.\n")
set(CPACK_RPM_CHANGELOG_FILE ${PAL_DEPLOY_BIN}/rpm-changelog)
# Directories the distribution's own packages (filesystem, systemd, the
# shells, man-db) own: listing them would make this package own them too.
list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
	/lib /lib/systemd /lib/systemd/system /usr/lib/systemd /usr/lib/systemd/system
	${CMAKE_INSTALL_FULL_SYSCONFDIR}/logrotate.d
	/usr/share/bash-completion /usr/share/bash-completion/completions
	/usr/share/zsh /usr/share/zsh/vendor-completions
	/usr/share/fish /usr/share/fish/vendor_completions.d
	/usr/sbin /usr/share/man /usr/share/man/man5 /usr/share/man/man8 /usr/share/doc)
# The Debian changelog and lintian overrides have no place in an RPM.
configure_file(${PAL_DEPLOY_SRC}/rpm/prebuild.cmake.in ${PAL_DEPLOY_BIN}/rpm-prebuild.cmake @ONLY)
set(CPACK_PRE_BUILD_SCRIPTS ${PAL_DEPLOY_BIN}/rpm-prebuild.cmake)
# Scriptlets: the unit handled as the .deb's maintainer scripts handle it.
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PAL_DEPLOY_SRC}/rpm/post)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PAL_DEPLOY_SRC}/rpm/preun)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PAL_DEPLOY_SRC}/rpm/postun)
# Build trees, editor files and old packages never go into the source tarball.
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "\\\\.deb$" "~$")
include(CPack)
