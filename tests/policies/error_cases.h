/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bad inputs for test_errors.c: each must be rejected with exactly this first
 * diagnostic (line, column, message). H is the valid three-line header.
 */
/* clang-format off */
{ "yaml_tab_indent",
	  H "files:\n"
		  "\t- paths: [/a]\n",
	  5, 1, "invalid YAML: tab character; indent with spaces" },
{ "yaml_tab_in_mapping",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "  \taccess: [read]\n",
	  6, 3, "invalid YAML: tab character; indent with spaces" },
{ "yaml_unterminated_quote",
	  "apiVersion: \"palisade/v1\n"
		  "kind: Policy\n",
	  3, 1, "invalid YAML: found unexpected end of stream while scanning a quoted scalar (started at line 1, column 13)" },
{ "yaml_bad_indent",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "   access: [read]\n",
	  6, 4, "invalid YAML: did not find expected '-' indicator while parsing a block collection (started at line 5, column 3)" },
{ "yaml_bad_indent_dedent",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "  action: deny\n",
	  7, 3, "invalid YAML: did not find expected '-' indicator while parsing a block collection (started at line 5, column 3)" },
{ "yaml_unclosed_flow",
	  H "files:\n"
		  "  - paths: [/a\n"
		  "    access: [read]\n",
	  6, 11, "invalid YAML: did not find expected ',' or ']' while parsing a flow sequence (started at line 5, column 12)" },
{ "yaml_invalid_utf8",
	  H "description: \"\377\"\n",
	  4, 15, "invalid YAML: invalid leading UTF-8 octet" },
{ "empty_file",
	  "",
	  1, 1, "empty file: no policy document" },
{ "empty_file_comments",
	  "# nothing here\n"
		  "\n",
	  1, 1, "empty file: no policy document" },
{ "empty_document",
	  "---\n",
	  1, 1, "empty document: expected a policy (apiVersion: palisade/v1, kind: Policy, ...)" },
{ "empty_second_document",
	  H "---\n",
	  4, 1, "empty document: expected a policy (apiVersion: palisade/v1, kind: Policy, ...)" },
{ "root_is_list",
	  "- apiVersion: palisade/v1\n",
	  1, 1, "a policy must be a mapping, found a list" },
{ "root_is_scalar",
	  "palisade\n",
	  1, 1, "a policy must be a mapping, found a string" },
{ "api_version_wrong",
	  "apiVersion: palisade/v2\n"
		  "kind: Policy\n"
		  "name: t\n",
	  1, 13, "unsupported apiVersion 'palisade/v2'; expected 'palisade/v1'" },
{ "kind_wrong",
	  "apiVersion: palisade/v1\n"
		  "kind: Polcy\n"
		  "name: t\n",
	  2, 7, "unsupported kind 'Polcy'; expected 'Policy'" },
{ "missing_api_version",
	  "kind: Policy\n"
		  "name: t\n",
	  1, 1, "policy is missing 'apiVersion'" },
{ "missing_kind",
	  "apiVersion: palisade/v1\n"
		  "name: t\n",
	  1, 1, "policy is missing 'kind'" },
{ "missing_name",
	  "apiVersion: palisade/v1\n"
		  "kind: Policy\n",
	  1, 1, "policy is missing 'name'" },
{ "name_uppercase",
	  "apiVersion: palisade/v1\n"
		  "kind: Policy\n"
		  "name: Secrets\n",
	  3, 7, "invalid policy name 'Secrets': use 1 to 63 characters of a-z, 0-9 and '-'" },
{ "name_too_long",
	  "apiVersion: palisade/v1\n"
		  "kind: Policy\n"
		  "name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  3, 7, "invalid policy name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': use 1 to 63 characters of a-z, 0-9 and '-'" },
{ "name_is_list",
	  "apiVersion: palisade/v1\n"
		  "kind: Policy\n"
		  "name: [a]\n",
	  3, 7, "'name' must be a string, found a list" },
{ "unknown_key_suggest",
	  H "descripton: x\n",
	  4, 1, "unknown key 'descripton' in policy; did you mean 'description'?" },
{ "unknown_key_no_suggest",
	  H "color: blue\n",
	  4, 1, "unknown key 'color' in policy (expected apiVersion, kind, name, description, mode, target, default, files, exec, network, devices, mounts)" },
{ "misspelt_acess",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    acess: [read]\n"
		  "    action: deny\n",
	  6, 5, "unknown key 'acess' in file rule; did you mean 'access'?" },
{ "misspelt_Blok",
	  H "devices:\n"
		  "  - type: Blok\n"
		  "    major: 8\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 11, "unknown device type 'Blok'; did you mean 'block'?" },
{ "misspelt_case_Action",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    Action: deny\n",
	  7, 5, "unknown key 'Action' in file rule; did you mean 'action'?" },
{ "duplicate_key_top",
	  H "name: u\n",
	  4, 1, "duplicate key 'name' (first at line 3, column 1)" },
{ "duplicate_key_rule",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    access: [write]\n"
		  "    action: deny\n",
	  7, 5, "duplicate key 'access' (first at line 6, column 5)" },
{ "non_string_key",
	  H "? [a]\n"
		  ": b\n",
	  4, 3, "keys of policy must be strings, found a list" },
{ "files_scalar",
	  H "files: /etc/shadow\n",
	  4, 8, "'files' must be a list, found a string (write [/etc/shadow])" },
{ "files_mapping",
	  H "files:\n"
		  "  paths: [/a]\n",
	  5, 3, "'files' must be a list, found a mapping" },
{ "paths_scalar",
	  H "files:\n"
		  "  - paths: /etc/shadow\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 12, "'paths' must be a list, found a string (write [/etc/shadow])" },
{ "action_list",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: [deny]\n",
	  7, 13, "'action' must be a string, found a list" },
{ "access_mapping",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: {read: true}\n"
		  "    action: deny\n",
	  6, 13, "'access' must be a list, found a mapping" },
{ "rule_is_scalar",
	  H "files:\n"
		  "  - /etc/shadow\n",
	  5, 5, "a file rule must be a mapping, found a string" },
{ "path_entry_list",
	  H "files:\n"
		  "  - paths: [[/a]]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "entries of 'paths' must be strings, found a list" },
{ "action_empty",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action:\n",
	  7, 12, "'action' has no value" },
{ "access_word_typo",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [raed]\n"
		  "    action: deny\n",
	  6, 14, "unknown access 'raed'; did you mean 'read'?" },
{ "access_word_unknown",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [fly]\n"
		  "    action: deny\n",
	  6, 14, "unknown access 'fly' (expected read, write, append, exec, create, delete, rename, link, chmod, chown, truncate, mmap-exec, connect, all)" },
{ "action_unknown",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: block\n",
	  7, 13, "unknown action 'block' (expected allow, audit, deny)" },
{ "action_typo",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: dney\n",
	  7, 13, "unknown action 'dney'; did you mean 'deny'?" },
{ "paths_empty",
	  H "files:\n"
		  "  - paths: []\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 12, "'paths' is empty: list at least one entry" },
{ "access_empty",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: []\n"
		  "    action: deny\n",
	  6, 13, "'access' is empty: list at least one entry" },
{ "files_empty",
	  H "files: []\n",
	  4, 8, "'files' is empty: list at least one entry" },
{ "missing_action",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n",
	  5, 5, "file rule is missing 'action'" },
{ "missing_access",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    action: deny\n",
	  5, 5, "file rule is missing 'access'" },
{ "missing_paths",
	  H "files:\n"
		  "  - access: [read]\n"
		  "    action: deny\n",
	  5, 5, "file rule needs 'paths' or 'dirs'" },
{ "exec_with_access",
	  H "exec:\n"
		  "  - paths: [/usr/bin/nc]\n"
		  "    access: [exec]\n"
		  "    action: deny\n",
	  6, 5, "'access' is not allowed in exec rules: they always cover execution" },
{ "path_relative",
	  H "files:\n"
		  "  - paths: [etc/shadow]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path 'etc/shadow': path must be absolute (start with '/')" },
{ "path_dotdot",
	  H "files:\n"
		  "  - paths: [/etc/../shadow]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/etc/../shadow': '.' and '..' components are not allowed" },
{ "path_dot",
	  H "files:\n"
		  "  - dirs: [/etc/./ssh]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 12, "invalid path '/etc/./ssh': '.' and '..' components are not allowed" },
{ "path_nul",
	  H "files:\n"
		  "  - paths: [\"/etc/sha\\0dow\"]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/etc/sha\\x00dow': NUL character in path" },
{ "path_control",
	  H "files:\n"
		  "  - paths: [\"/etc/sha\\tdow\"]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/etc/sha\\x09dow': control character in path" },
{ "path_c1_control",
	  H "files:\n"
		  "  - paths: [\"/etc/\\x9b\"]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/etc/\\xc2\\x9b': control character in path" },
{ "path_too_deep",
	  H "files:\n"
		  "  - paths: [/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a...': more than PAL_MAX_DEPTH (64) components" },
{ "path_component_long",
	  H "files:\n"
		  "  - paths: [/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...': a component is longer than PAL_NAME_MAX (255 bytes)" },
{ "path_too_long",
	  H "files:\n"
		  "  - paths: [/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid path '/ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc...': path is longer than PAL_PATH_MAX (4096 bytes)" },
{ "from_relative",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: deny\n"
		  "    from: [nginx]\n",
	  8, 12, "invalid path 'nginx': path must be absolute (start with '/')" },
{ "from_empty",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: deny\n"
		  "    from: []\n",
	  8, 11, "'from' is empty: list at least one entry" },
{ "yaml_unquoted_glob_alias",
	  H "files:\n"
		  "  - paths: [/srv/[0-9]*]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 23, "invalid YAML: an unquoted '*' starts a YAML alias here; quote values that hold '*', '&', '[', ']', '{', '}' or ',', e.g. [\"/srv/[0-9]*\"]" },
{ "yaml_unquoted_star_path",
	  H "files:\n"
		  "  - paths: [*.log]\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 13, "invalid YAML: an unquoted '*' starts a YAML alias here; quote values that hold '*', '&', '[', ']', '{', '}' or ',', e.g. [\"/srv/[0-9]*\"]" },
{ "yaml_alias",
	  H "description: &d text\n"
		  "files: *d\n",
	  4, 14, "YAML anchor '&d' is not allowed: anchors and aliases are rejected" },
{ "yaml_alias_only",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: *deny\n",
	  7, 13, "YAML alias '*deny' is not allowed: anchors and aliases are rejected" },
{ "yaml_anchor_on_map",
	  H "files:\n"
		  "  - &r\n"
		  "    paths: [/a]\n",
	  5, 5, "YAML anchor '&r' is not allowed: anchors and aliases are rejected" },
{ "yaml_tag",
	  H "description: !!binary aGVsbG8=\n",
	  4, 14, "YAML tag 'tag:yaml.org,2002:binary' is not allowed" },
{ "yaml_local_tag",
	  H "mode: !enforce enforce\n",
	  4, 7, "YAML tag '!enforce' is not allowed" },
{ "nesting_too_deep",
	  H "files:\n"
		  "  - paths: [[[/a]]]\n",
	  5, 14, "nesting deeper than the schema allows (PAL_POLICY_NEST_MAX = 5 levels)" },
{ "nesting_deep_map",
	  H "target:\n"
		  "  cgroups:\n"
		  "    - a:\n"
		  "        b:\n"
		  "          c: d\n",
	  8, 11, "nesting deeper than the schema allows (PAL_POLICY_NEST_MAX = 5 levels)" },
{ "mode_typo",
	  H "mode: enforcing\n",
	  4, 7, "unknown mode 'enforcing' (expected enforce, audit)" },
{ "mode_unknown",
	  H "mode: monitor\n",
	  4, 7, "unknown mode 'monitor' (expected enforce, audit)" },
{ "default_unknown",
	  H "default: permit\n",
	  4, 10, "unknown default 'permit' (expected allow, audit, deny)" },
{ "mounts_without_file_rules",
	  H "mounts: allow\n",
	  4, 9, "'mounts' applies to the tasks a policy confines with files: or exec: rules, and this policy has none; add such rules or remove 'mounts'" },
{ "mounts_unknown",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: deny\n"
		  "mounts: permit\n",
	  8, 9, "unknown mounts 'permit' (expected allow, audit, deny)" },
{ "target_scalar",
	  H "target: /system.slice\n",
	  4, 9, "'target' must be a mapping, found a string" },
{ "target_missing_cgroups",
	  H "target: {}\n",
	  4, 9, "target is missing 'cgroups' or 'containers' (remove 'target' to apply host-wide)" },
{ "target_containers_scalar",
	  H "target:\n"
		  "  containers: prod\n",
	  5, 15, "'containers' must be a list, found a string (write [prod])" },
{ "target_containers_empty_selector",
	  H "target:\n"
		  "  containers:\n"
		  "    - {}\n",
	  6, 7, "an empty container selector would select every container; give namespace, pod, container, image or labels" },
{ "target_containers_unknown_key",
	  H "target:\n"
		  "  containers:\n"
		  "    - namespce: prod\n",
	  6, 7, "unknown key 'namespce' in container selector; did you mean 'namespace'?" },
{ "target_containers_list_value",
	  H "target:\n"
		  "  containers:\n"
		  "    - pod: [a, b]\n",
	  6, 12, "'pod' must be a string, found a list" },
{ "target_containers_empty_value",
	  H "target:\n"
		  "  containers:\n"
		  "    - image: \"\"\n",
	  6, 14, "image must be 1 to PAL_POLICY_SELECTOR_MAX (512) bytes" },
{ "target_containers_control_char",
	  H "target:\n"
		  "  containers:\n"
		  "    - pod: \"web\\x01\"\n",
	  6, 12, "pod must be printable UTF-8 text" },
{ "target_containers_label_glob_key",
	  H "target:\n"
		  "  containers:\n"
		  "    - labels: {\"app*\": web}\n",
	  6, 16, "label key 'app*' has a '*': keys are matched exactly" },
{ "target_cgroups_empty",
	  H "target:\n"
		  "  cgroups: []\n",
	  5, 12, "'cgroups' is empty: list at least one entry" },
{ "cgroup_relative",
	  H "target:\n"
		  "  cgroups: [system.slice]\n",
	  5, 13, "invalid cgroup pattern 'system.slice': path must be absolute (start with '/')" },
{ "cgroup_double_star_partial",
	  H "target:\n"
		  "  cgroups: [/kubepods/a**]\n",
	  5, 13, "invalid cgroup pattern '/kubepods/a**': '**' must be a whole component" },
{ "cgroup_dotdot",
	  H "target:\n"
		  "  cgroups: [/a/../b]\n",
	  5, 13, "invalid cgroup pattern '/a/../b': '.' and '..' components are not allowed" },
{ "description_too_long",
	  H "description: ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\n",
	  4, 14, "'description' is longer than PAL_POLICY_DESC_MAX (4096 bytes)" },
{ "cidr_bad_octet",
	  H "network:\n"
		  "  - connect: [300.1.1.1]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR '300.1.1.1': not an IPv4 or IPv6 address" },
{ "cidr_v4_prefix_33",
	  H "network:\n"
		  "  - connect: [10.0.0.0/33]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR '10.0.0.0/33': IPv4 prefix length must be 0 to 32" },
{ "cidr_v6_prefix_129",
	  H "network:\n"
		  "  - connect: [\"fd00::/129\"]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR 'fd00::/129': IPv6 prefix length must be 0 to 128" },
{ "cidr_host_bits",
	  H "network:\n"
		  "  - connect: [10.0.0.1/8]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR '10.0.0.1/8': host bits are set; did you mean '10.0.0.0/8'?" },
{ "cidr_v6_host_bits",
	  H "network:\n"
		  "  - connect: [\"fd00::1/8\"]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR 'fd00::1/8': host bits are set; did you mean 'fd00::/8'?" },
{ "cidr_prefix_leading_zero",
	  H "network:\n"
		  "  - connect: [10.0.0.0/08]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR '10.0.0.0/08': prefix length '08' has a leading zero; write '/8'" },
{ "cidr_prefix_zeros",
	  H "network:\n"
		  "  - connect: [0.0.0.0/00]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR '0.0.0.0/00': prefix length '00' has a leading zero; write '/0'" },
{ "cidr_bad_prefix",
	  H "network:\n"
		  "  - connect: [10.0.0.0/x]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR '10.0.0.0/x': IPv4 prefix length must be 0 to 32" },
{ "cidr_garbage",
	  H "network:\n"
		  "  - connect: [localhost]\n"
		  "    action: deny\n",
	  5, 15, "invalid CIDR 'localhost': not an IPv4 or IPv6 address" },
{ "cidr_list_empty",
	  H "network:\n"
		  "  - connect: []\n"
		  "    action: deny\n",
	  5, 14, "'connect' is empty: list at least one entry" },
{ "port_zero",
	  H "network:\n"
		  "  - connect: [10.0.0.0/8]\n"
		  "    ports: [0]\n"
		  "    action: deny\n",
	  6, 13, "invalid port '0': ports are 1 to 65535, ranges are LOW-HIGH" },
{ "port_too_big",
	  H "network:\n"
		  "  - connect: [10.0.0.0/8]\n"
		  "    ports: [65536]\n"
		  "    action: deny\n",
	  6, 13, "invalid port '65536': ports are 1 to 65535, ranges are LOW-HIGH" },
{ "port_range_reversed",
	  H "network:\n"
		  "  - connect: [10.0.0.0/8]\n"
		  "    ports: [\"9000-8000\"]\n"
		  "    action: deny\n",
	  6, 13, "invalid port range '9000-8000': 9000 is above 8000" },
{ "port_word",
	  H "network:\n"
		  "  - connect: [10.0.0.0/8]\n"
		  "    ports: [ssh]\n"
		  "    action: deny\n",
	  6, 13, "invalid port 'ssh': ports are 1 to 65535, ranges are LOW-HIGH" },
{ "protocol_unknown",
	  H "network:\n"
		  "  - connect: [10.0.0.0/8]\n"
		  "    protocols: [icmp]\n"
		  "    action: deny\n",
	  6, 17, "unknown protocol 'icmp' (expected tcp, udp)" },
{ "net_two_ops",
	  H "network:\n"
		  "  - connect: [10.0.0.0/8]\n"
		  "    bind: { ports: [80] }\n"
		  "    action: deny\n",
	  6, 5, "network rule has both 'connect' and 'bind': write one per rule" },
{ "net_no_op",
	  H "network:\n"
		  "  - ports: [80]\n"
		  "    action: deny\n",
	  5, 5, "network rule needs one of 'connect', 'bind' or 'socket'" },
{ "bind_ports_outside",
	  H "network:\n"
		  "  - bind: {}\n"
		  "    ports: [80]\n"
		  "    action: deny\n",
	  6, 5, "'ports' belongs inside 'bind' (bind: { ports: [...] })" },
{ "bind_scalar",
	  H "network:\n"
		  "  - bind: 80\n"
		  "    action: deny\n",
	  5, 11, "'bind' must be a mapping, found a string" },
{ "socket_family_unknown",
	  H "network:\n"
		  "  - socket: { family: inet4 }\n"
		  "    action: deny\n",
	  5, 23, "unknown socket family 'inet4'; did you mean 'inet'?" },
{ "socket_missing_family",
	  H "network:\n"
		  "  - socket: { type: raw }\n"
		  "    action: deny\n",
	  5, 13, "socket is missing 'family'" },
{ "socket_type_unknown",
	  H "network:\n"
		  "  - socket: { family: inet, type: rwa }\n"
		  "    action: deny\n",
	  5, 35, "unknown socket type 'rwa'; did you mean 'raw'?" },
{ "dev_major_too_big",
	  H "devices:\n"
		  "  - type: char\n"
		  "    major: 5000\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  6, 12, "invalid major '5000': expected a number from 0 to 4095, or '*'" },
{ "dev_minor_word",
	  H "devices:\n"
		  "  - type: char\n"
		  "    major: 1\n"
		  "    minor: any\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  7, 12, "invalid minor 'any': expected a number from 0 to 1048575, or '*'" },
{ "dev_major_octal",
	  H "devices:\n"
		  "  - type: char\n"
		  "    major: 010\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  6, 12, "invalid major '010': expected a number from 0 to 4095, or '*'" },
{ "dev_missing_type",
	  H "devices:\n"
		  "  - major: 1\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 5, "device rule is missing 'type'" },
{ "dev_access_unknown",
	  H "devices:\n"
		  "  - type: char\n"
		  "    major: 1\n"
		  "    access: [mknode]\n"
		  "    action: deny\n",
	  7, 14, "unknown device access 'mknode'; did you mean 'mknod'?" },
{ "socket_protocol_number_only",
	  H "network:\n"
		  "  - socket: { family: packet, protocol: tcp }\n"
		  "    action: deny\n",
	  5, 41, "invalid protocol 'tcp': use a number 0 to 65534 for this family" },
{ "netlink_protocol_typo",
	  H "network:\n"
		  "  - socket: { family: netlink, protocol: rout }\n"
		  "    action: deny\n",
	  5, 42, "unknown netlink protocol 'rout'; did you mean 'route'?" },
{ "description_nul",
	  H "description: \"a\\0b\"\n",
	  4, 14, "NUL character in 'description'" },
{ "dev_type_missing_value",
	  H "devices:\n"
		  "  - type:\n"
		  "    major: 1\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 10, "'type' has no value" },
{ "pattern_unterminated_class",
	  H "files:\n"
		  "  - paths: ['/srv/[abc']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 19, "invalid pattern '/srv/[abc' in 'paths': unterminated class: '[' without ']'. Hint: close it with ']', or write '\\[' for a literal '['" },
{ "pattern_empty_class",
	  H "files:\n"
		  "  - paths: ['/srv/x[]']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 20, "invalid pattern '/srv/x[]' in 'paths': empty class: it can never match. Hint: put the characters between '[' and ']', or write '\\[' for a literal '['" },
{ "pattern_empty_range",
	  H "files:\n"
		  "  - paths: ['/srv/[z-a]']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 20, "invalid pattern '/srv/[z-a]' in 'paths': empty range in a class. Hint: write the lower character first ('[a-z]')" },
{ "pattern_relative",
	  H "files:\n"
		  "  - paths: ['*.log']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 14, "invalid pattern '*.log' in 'paths': a rule pattern must be absolute (start with '/'). Hint: rules match the path from the root the confined process sees" },
{ "pattern_dotdot",
	  H "files:\n"
		  "  - paths: ['/srv/../*.log']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 19, "invalid pattern '/srv/../*.log' in 'paths': '.' and '..' components can never match. Hint: the kernel matches the resolved path: name it without '.' and '..'" },
{ "pattern_dstar_in_name",
	  H "files:\n"
		  "  - paths: ['/usr/**.so']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 19, "invalid pattern '/usr/**.so' in 'paths': '**' must be a whole component. Hint: '*' already matches any run within a name; write '/**/' for any number of directories" },
{ "pattern_too_many_dstar",
	  H "files:\n"
		  "  - paths: ['/a/**/b/**/c/**/d/**/e/**']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 37, "invalid pattern '/a/**/b/**/c/**/d/**/e/**' in 'paths': more than PAL_PAT_DSTAR_MAX (4) '**' in a pattern. Hint: split the rule into several patterns" },
{ "pattern_class_not_ascii",
	  H "files:\n"
		  "  - paths: ['/srv/[\303\251]']\n"
		  "    access: [read]\n"
		  "    action: deny\n",
	  5, 20, "invalid pattern '/srv/[\303\251]' in 'paths': a class holds ASCII characters only. Hint: use '?' or '*' for other characters" },
{ "pattern_from_invalid",
	  H "files:\n"
		  "  - paths: [/a]\n"
		  "    access: [read]\n"
		  "    action: deny\n"
		  "    from: ['/usr/sbin/[a']\n",
	  8, 23, "invalid pattern '/usr/sbin/[a' in 'from': unterminated class: '[' without ']'. Hint: close it with ']', or write '\\[' for a literal '['" },
	/* clang-format on */
