# SPDX-License-Identifier: GPL-2.0-only
# fish completion for palisade(8). Each verb's options come from the binary
# itself (`palisade --list-options VERB`), so they always match what it accepts.

set -l __palisade_verbs run check compile logs suggest status reload stop doctor

function __palisade_verb
	set -l words (commandline -opc)
	for w in $words[2..-1]
		string match -q -- '-*' $w; or begin
			echo $w
			return 0
		end
	end
	return 1
end

function __palisade_options
	set -l verb (__palisade_verb); or return
	for o in (palisade --list-options $verb 2>/dev/null)
		string replace -r '=$' '' -- $o
	end
end

complete -c palisade -f
complete -c palisade -n 'not __palisade_verb' -a "$__palisade_verbs"
complete -c palisade -n 'not __palisade_verb' -l help -d 'show the verbs'
complete -c palisade -n 'not __palisade_verb' -l version -d 'show the version'
complete -c palisade -n '__palisade_verb; and string match -q -- "-*" (commandline -ct)' \
	-a '(__palisade_options)'
complete -c palisade -n '__palisade_verb | string match -qr "^(check|compile)\$"' -F \
	-a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml; __fish_complete_directories)'
complete -c palisade -n '__palisade_verb | string match -qr "^(logs|suggest)\$"' -F
