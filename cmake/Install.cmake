# SPDX-License-Identifier: GPL-2.0-only
# Install layout and the .deb (CPack). Owned by deploy/.
