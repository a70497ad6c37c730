#!/usr/bin/env python3
"""dmgen.py - writes lib/dm_decl.c and lib/dm_decl.h, xapi-c's own
declaration of the XenAPI classes it serves, from upstream's machine-readable
datamodel (reference/xenapi-datamodel.json).

    python3 tools/dmgen.py /path/to/xenapi-datamodel.json [OUTDIR]

OUTDIR defaults to the lib/ directory next to this script.  Only names,
types, qualifiers, defaults and flags are taken over: no description texts,
no lifecycle texts.  The output depends only on the input (stable order, no
timestamps), so regenerating from the same JSON gives identical files.
Use --stats to print the per-class field and message counts instead.
"""

import json
import os
import re
import sys

# The classes we serve, in the order of our class table.
CLASSES = [
    "session", "auth", "subject", "role", "pool", "host", "host_metrics", "host_cpu", "VM", "VM_metrics",
    "VM_guest_metrics", "VBD", "VBD_metrics", "VDI", "SR", "PBD", "SM",
    "network", "PIF", "PIF_metrics", "VIF", "VLAN", "Bond", "tunnel", "task",
    "event", "message", "console", "blob", "secret",
]

# Explicit messages that have no Async.<class>.<name> form, per class.  The
# JSON does not say which do; upstream decides per message (a message is
# async unless its declaration drops that flag), so this is the list, taken
# from upstream's datamodel of the release the JSON describes.  Every other
# explicit message, and the implicit create/destroy, has an Async form;
# the other implicit messages (accessors, get_record, get_by_*, get_all*)
# never do.  Each name must be an explicit message, or generation fails.
NO_ASYNC = {
    "session": {
        "change_password", "local_logout", "login_with_password", "logout",
        "slave_local_login_with_password"
    },
    "pool": {
        "detect_nonhomogeneous_external_auth", "disable_external_auth",
        "emergency_reset_master", "emergency_transition_to_master",
        "enable_external_auth", "enable_tls_verification",
        "ha_compute_hypothetical_max_host_failures_to_tolerate",
        "ha_compute_max_host_failures_to_tolerate", "ha_compute_vm_failover_plan",
        "ha_failover_plan_exists", "ha_prevent_restarts_for",
        "set_ext_auth_max_threads", "set_local_auth_max_threads",
        "test_archive_target"
    },
    "host": {
        "apply_edition", "backup_rrds", "call_extension", "disable_external_auth",
        "disable_local_storage_caching", "emergency_clear_mandatory_guidance",
        "emergency_disable_tls_verification", "emergency_ha_disable",
        "emergency_reenable_tls_verification", "emergency_reset_server_certificate",
        "enable_external_auth", "enable_local_storage_caching",
        "forget_data_source_archives", "get_data_sources", "get_server_localtime",
        "get_servertime", "get_system_status_capabilities", "list_methods",
        "local_management_reconfigure", "management_disable", "query_data_source",
        "record_data_source", "set_hostname_live", "shutdown_agent", "sync_data"
    },
    "VM": {
        "add_to_NVRAM", "forget_data_source_archives", "get_allowed_VBD_devices",
        "get_allowed_VIF_devices", "get_boot_record", "get_data_sources",
        "query_data_source", "record_data_source", "remove_from_NVRAM",
        "set_HVM_boot_policy", "set_HVM_shadow_multiplier", "set_NVRAM",
        "set_VCPUs_at_startup", "set_VCPUs_max", "set_domain_type",
        "set_ha_always_run", "set_ha_restart_priority", "set_memory_dynamic_max",
        "set_memory_dynamic_min", "set_memory_static_max", "set_memory_static_min",
        "set_snapshot_schedule"
    },
    "VDI": {
        "get_nbd_info", "set_read_only", "set_sharable"
    },
    "SR": {
        "forget_data_source_archives", "get_data_sources", "get_supported_types",
        "query_data_source", "record_data_source", "set_physical_size"
    },
    "task": {
        "create", "destroy", "set_error_info", "set_progress", "set_result",
        "set_status"
    },
    "event": {
        "from", "get_current_id", "inject", "next"
    },
    "message": {
        "create", "destroy", "get", "get_all", "get_all_records",
        "get_all_records_where", "get_by_uuid", "get_record", "get_since"
    },
    "blob": {
        "create", "destroy"
    },
}

# Parameter defaults.  The JSON does not carry them; these are upstream's
# (param_default in ocaml/idl/datamodel*.ml) for messages of our classes, in
# the same literal syntax as field defaults.  Each must name an existing
# trailing parameter, or generation fails.
PARAM_DEFAULTS = {
    ("session", "login_with_password"): {"version": '"1.1"', "originator": '""'},
    ("pool", "create_new_blob"): {"public": "false"},
    ("host", "create_new_blob"): {"public": "false"},
    ("VM", "create_new_blob"): {"public": "false"},
    ("SR", "create_new_blob"): {"public": "false"},
    ("network", "create_new_blob"): {"public": "false"},
    ("blob", "create"): {"public": "false"},
    ("Bond", "create"): {"mode": "balance-slb", "properties": "{}"},
    ("tunnel", "create"): {"protocol": "gre"},
    ("VIF", "configure_ipv4"): {"address": '""', "gateway": '""'},
    ("VIF", "configure_ipv6"): {"address": '""', "gateway": '""'},
    ("VDI", "snapshot"): {"driver_params": "{}"},
    ("VDI", "clone"): {"driver_params": "{}"},
    ("VDI", "copy"): {"sr": "OpaqueRef:NULL", "base_vdi": "OpaqueRef:NULL",
                      "into_vdi": "OpaqueRef:NULL"},
    ("host", "evacuate"): {"network": "OpaqueRef:NULL", "evacuate_batch_size": "0"},
    ("host", "install_server_certificate"): {"certificate_chain": '""'},
    ("host", "disable_external_auth"): {"config": "{}"},
    ("pool", "disable_external_auth"): {"config": "{}"},
    ("host", "apply_edition"): {"force": "false"},
    ("host", "emergency_ha_disable"): {"soft": "false"},
    ("pool", "sync_updates"): {"token": '""', "token_id": '""'},
    ("VM", "snapshot"): {"ignore_vdis": "{}"},
    ("VM", "migrate_send"): {"vgpu_map": "{}"},
    ("VM", "assert_can_migrate"): {"vgpu_map": "{}"},
}

# xapi's static roles, in upstream's order (ocaml/idl/datamodel_roles.ml,
# "in decreasing total linear order of privileges"): name, description,
# is_internal.  The JSON names them in each message's "roles" but carries
# neither their order nor their descriptions.  Bit i of a message's role
# mask is role i of this list.
ROLES = [
    ("pool-admin", "The Pool Administrator role has full access to all features and "
     "settings, including accessing Dom0 and managing subjects, roles and "
     "external authentication", False),
    ("pool-operator", "The Pool Operator role manages host- and pool-wide resources, "
     "including setting up storage, creating resource pools and managing patches, "
     "high availability (HA) and workload balancing (WLB)", False),
    ("vm-power-admin", "The VM Power Administrator role has full access to VM and "
     "template management and can choose where to start VMs and use the dynamic "
     "memory control and VM snapshot features", False),
    ("vm-admin", "The VM Administrator role can manage VMs and templates", False),
    ("vm-operator", "The VM Operator role can use VMs and interact with VM consoles", False),
    ("client-cert", "The Client Certificate role has access to functionality granted "
     "to those who authenticate using a client certificate", True),
    ("read-only", "The Read-Only role can log in with basic read-only access", False),
]

# The HTTP data paths we serve and the permission of each, as upstream's
# Datamodel.http_actions (the JSON does not carry them): our handler's name
# (what it passes to xd_auth_http), upstream's action name (the permission is
# "http/<action>") and the roles allowed, given as the least privileged one
# (upstream's _R_* shortcuts: that role and every role above it).
HTTP_ACTIONS = [
    ("import_raw_vdi", "put_import_raw_vdi", "vm-admin"),
    ("export_raw_vdi", "get_export_raw_vdi", "vm-admin"),
    ("import", "put_import", "vm-admin"),
    ("import_metadata", "put_import_metadata", "vm-admin"),
    ("export", "get_export", "vm-admin"),
    ("export_metadata", "get_export_metadata", "vm-admin"),
    ("console", "connect_console", "vm-operator"),
    ("rrd_updates", "get_rrd_updates", "read-only"),
    ("host_rrd", "get_host_rrd", "read-only"),
    ("vm_rrd", "get_vm_rrd", "read-only"),
    ("sr_rrd", "get_sr_rrd", "read-only"),
    ("get_blob", "get_blob", "read-only"),
    ("put_blob", "put_blob", "vm-power-admin"),
]

QUALIFIERS = {
    "RW": "XD_Q_RW",
    "RO/constructor": "XD_Q_RO_CTOR",
    "RO/runtime": "XD_Q_RO_RUNTIME",
}

# Implicit messages that take no field: never field accessors, never async.
IMPLICIT_CTOR_DTOR = {"create", "destroy"}


class GenError(Exception):
    pass


def state(item):
    return item["lifecycle"]["state"]


def removed(item):
    return state(item) == "Removed_s"


def deprecated(item):
    return state(item) == "Deprecated_s"


def c_str(s):
    """A C string literal (or NULL)."""
    if s is None:
        return "NULL"
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) > 0x7e:
            raise GenError("unexpected character %r in %r" % (ch, s))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def enums_in(type_text):
    return re.findall(r"\benum (\w+)", type_text)


def role_mask(names, where):
    """The bit mask of a list of role names (None: local root only)."""
    order = [r[0] for r in ROLES]
    mask = 0
    for n in names or []:
        if n not in order:
            raise GenError("%s: unknown role %s" % (where, n))
        mask |= 1 << order.index(n)
    return mask


def roles_gte(least):
    """upstream's roles_gte: the role and every role above it (client-cert,
    internal, is added to a message explicitly, never by rank)."""
    order = [r[0] for r in ROLES if not r[2]]
    return order[:order.index(least) + 1]


def build(model):
    by_name = {c["name"]: c for c in model}
    all_enums = {}
    for c in model:
        for e in c["enums"]:
            vals = [v["name"] for v in e["values"]]
            if e["name"] in all_enums and all_enums[e["name"]] != vals:
                raise GenError("enum %s declared twice differently" % e["name"])
            all_enums[e["name"]] = vals

    classes = []
    used_enums = set()
    unknown = set(NO_ASYNC) - set(CLASSES)
    if unknown:
        raise GenError("NO_ASYNC names classes we do not serve: %s" % sorted(unknown))
    for cname in CLASSES:
        if cname not in by_name:
            raise GenError("class %s not in the datamodel" % cname)
        src = by_name[cname]
        fields = []
        for f in src["fields"]:
            if removed(f):
                continue
            if f["qualifier"] not in QUALIFIERS:
                raise GenError("%s.%s: qualifier %s" % (cname, f["name"], f["qualifier"]))
            fields.append({
                "name": f["name"],
                "type": f["type"],
                "qual": QUALIFIERS[f["qualifier"]],
                "default": f.get("default"),
                "deprecated": deprecated(f),
            })
            used_enums.update(enums_in(f["type"]))

        messages = []
        defaults_used = set()
        for m in src["messages"]:
            if removed(m):
                continue
            params = list(m["params"])
            flags = []
            if params and params[0]["type"] == "session ref":
                params = params[1:]
            else:
                flags.append("XD_MSG_NO_SESSION")
            implicit = bool(m["implicit"])
            if implicit:
                flags.insert(0, "XD_MSG_IMPLICIT")
            if (implicit and m["name"] in IMPLICIT_CTOR_DTOR) or \
               (not implicit and m["name"] not in NO_ASYNC.get(cname, ())):
                flags.append("XD_MSG_ASYNC")
            if deprecated(m):
                flags.append("XD_MSG_DEPRECATED")
            known = PARAM_DEFAULTS.get((cname, m["name"]), {})
            plist = []
            for p in params:
                dflt = p.get("default", known.get(p["name"]))
                plist.append({"name": p["name"], "type": p["type"], "default": dflt})
                used_enums.update(enums_in(p["type"]))
            missing = set(known) - {p["name"] for p in plist}
            if missing:
                raise GenError("%s.%s: no parameter %s" % (cname, m["name"], sorted(missing)))
            if known:
                defaults_used.add(m["name"])
            # Defaults must be a suffix: clients may omit trailing ones only.
            seen_default = False
            for p in plist:
                if p["default"] is not None:
                    seen_default = True
                elif seen_default:
                    raise GenError("%s.%s: default before mandatory %s" % (cname, m["name"], p["name"]))
            result = m["result"][0] if m["result"] else "void"
            used_enums.update(enums_in(result))
            messages.append({"name": m["name"], "params": plist, "result": result,
                             "flags": flags,
                             "roles": role_mask(m.get("roles"), cname + "." + m["name"])})

        names = {m["name"] for m in messages}
        explicit = {m["name"] for m in messages if "XD_MSG_IMPLICIT" not in m["flags"]}
        stray = set(NO_ASYNC.get(cname, ())) - explicit
        if stray:
            raise GenError("%s: no explicit message %s to mark without Async"
                           % (cname, sorted(stray)))
        for (kc, km) in PARAM_DEFAULTS:
            if kc == cname and km not in names:
                raise GenError("param default for unknown message %s.%s" % (kc, km))
        # Hidden filtered listings, as upstream generates them next to
        # get_all_records (xapi's expression language).
        if "get_all_records" in names:
            # upstream generates them with get_all_records's roles
            ro = [m["roles"] for m in messages if m["name"] == "get_all_records"][0]
            if "get_all_records_where" not in names:
                messages.append({
                    "name": "get_all_records_where",
                    "params": [{"name": "expr", "type": "string", "default": None}],
                    "result": "(%s ref -> %s record) map" % (cname, cname),
                    "flags": ["XD_MSG_IMPLICIT", "XD_MSG_HIDDEN"], "roles": ro})
            if "get_all_where" not in names:
                messages.append({
                    "name": "get_all_where",
                    "params": [{"name": "expr", "type": "string", "default": None}],
                    "result": "%s ref set" % cname,
                    "flags": ["XD_MSG_IMPLICIT", "XD_MSG_HIDDEN"], "roles": ro})
        classes.append({"name": cname, "fields": fields, "messages": messages})

    for e in used_enums:
        if e not in all_enums:
            raise GenError("enum %s referenced but not declared" % e)
    enums = [(e, all_enums[e]) for e in sorted(used_enums)]
    return classes, enums


def header_comment(fname, what):
    return (
        "/* %s - %s\n"
        " *\n"
        " * GENERATED FILE, do not edit. Regenerate with\n"
        " *     python3 tools/dmgen.py PATH/TO/xenapi-datamodel.json lib\n"
        " * (tools/dmgen.py reads upstream's machine-readable datamodel and keeps\n"
        " * only names, types, qualifiers, defaults and flags, in our own format).\n"
        " */\n" % (fname, what))


def write_header():
    return header_comment(
        "dm_decl.h",
        "the declaration of the XenAPI classes xapi-c serves, as plain data.\n"
        " * dm.c builds the typed runtime tables of dm.h from it; dm_relations.c\n"
        " * (hand-written) declares the one-to-many relations by name.") + """\
#ifndef XD_DM_DECL_H
#define XD_DM_DECL_H

#include <stdbool.h>
#include <stddef.h>

#include "dm.h" /* xd_qual, xd_enum, XD_MSG_* */

typedef struct xd_decl_field {
	const char *name;
	const char *type;          /* type text, e.g. "(string -> string) map" */
	xd_qual qual;
	const char *default_text;  /* as declared, NULL = none */
	bool deprecated;
} xd_decl_field;

typedef struct xd_decl_param {
	const char *name;
	const char *type;
	const char *default_text;  /* NULL = mandatory */
} xd_decl_param;

typedef struct xd_decl_message {
	const char *name;
	const char *result;        /* type text */
	unsigned flags;            /* XD_MSG_* */
	unsigned roles;            /* bit i: xd_decl_roles[i] may call it (0: local root only) */
	const xd_decl_param *params; /* without the session parameter */
	size_t nparams;
} xd_decl_message;

typedef struct xd_decl_class {
	const char *name;
	const xd_decl_field *fields;
	size_t nfields;
	const xd_decl_message *messages;
	size_t nmessages;
} xd_decl_class;

/* "The one side's ref field" <-> "the many side's ref set", by name. */
typedef struct xd_decl_relation {
	const char *one_cls, *one_field;
	const char *many_cls, *many_field;
} xd_decl_relation;

/* xapi's static roles, in upstream's order (bit i of a role mask). */
typedef struct xd_decl_role {
	const char *name;
	const char *description;
	bool is_internal;
} xd_decl_role;

/* An HTTP data path's permission: "http/<action>", allowed to `roles`. */
typedef struct xd_decl_http_action {
	const char *handler;       /* the name our handler gives xd_auth_http */
	const char *action;        /* upstream's action name, e.g. "put_import_raw_vdi" */
	unsigned roles;
} xd_decl_http_action;

extern const xd_decl_class xd_decl_classes[];
extern const size_t xd_decl_nclasses;
extern const xd_enum xd_decl_enums[];   /* sorted by name */
extern const size_t xd_decl_nenums;
extern const xd_decl_role xd_decl_roles[];
extern const size_t xd_decl_nroles;
extern const xd_decl_http_action xd_decl_http_actions[];
extern const size_t xd_decl_nhttp_actions;

/* dm_relations.c */
extern const xd_decl_relation xd_decl_relations[];
extern const size_t xd_decl_nrelations;

#endif
"""


def write_source(classes, enums):
    out = [header_comment("dm_decl.c", "the XenAPI classes, fields, messages and enums we serve.")]
    out.append('#include "dm_decl.h"\n\n')

    out.append("/* ---- enums ---- */\n\n")
    for i, (name, vals) in enumerate(enums):
        out.append("static const char *const e%d[] = { %s, NULL };\n"
                   % (i, ", ".join(c_str(v) for v in vals)))
    out.append("\nconst xd_enum xd_decl_enums[] = {\n")
    for i, (name, vals) in enumerate(enums):
        out.append("\t{ %s, e%d, %d },\n" % (c_str(name), i, len(vals)))
    out.append("};\nconst size_t xd_decl_nenums = %d;\n" % len(enums))

    # Parameter lists are shared between messages with identical ones.
    plists = {}
    plist_order = []

    def plist_id(params):
        key = tuple((p["name"], p["type"], p["default"]) for p in params)
        if key not in plists:
            plists[key] = "p%d" % len(plists)
            plist_order.append(key)
        return plists[key]

    body = []
    for c in classes:
        cid = c["name"]
        body.append("\n/* ---- %s ---- */\n\n" % c["name"])
        body.append("static const xd_decl_field f_%s[] = {\n" % cid)
        for f in c["fields"]:
            body.append("\t{ %s, %s, %s, %s, %s },\n" % (
                c_str(f["name"]), c_str(f["type"]), f["qual"], c_str(f["default"]),
                "true" if f["deprecated"] else "false"))
        body.append("};\n\n")
        body.append("static const xd_decl_message m_%s[] = {\n" % cid)
        for m in c["messages"]:
            if m["params"]:
                pid = plist_id(m["params"])
                pref = "%s, %d" % (pid, len(m["params"]))
            else:
                pref = "NULL, 0"
            body.append("\t{ %s, %s, %s, 0x%x, %s },\n" % (
                c_str(m["name"]), c_str(m["result"]),
                " | ".join(m["flags"]) if m["flags"] else "0", m["roles"], pref))
        body.append("};\n")

    out.append("\n/* ---- parameter lists (shared) ---- */\n\n")
    for key in plist_order:
        items = ", ".join("{ %s, %s, %s }" % (c_str(n), c_str(t), c_str(d)) for (n, t, d) in key)
        out.append("static const xd_decl_param %s[] = { %s };\n" % (plists[key], items))
    out.extend(body)

    out.append("\n/* ---- classes ---- */\n\n")
    out.append("#define N(a) (sizeof(a) / sizeof((a)[0]))\n")
    out.append("const xd_decl_class xd_decl_classes[] = {\n")
    for c in classes:
        out.append("\t{ %s, f_%s, N(f_%s), m_%s, N(m_%s) },\n"
                   % (c_str(c["name"]), c["name"], c["name"], c["name"], c["name"]))
    out.append("};\n#undef N\nconst size_t xd_decl_nclasses = %d;\n" % len(classes))

    out.append("\n/* ---- roles and HTTP permissions ---- */\n\n")
    out.append("const xd_decl_role xd_decl_roles[] = {\n")
    for name, desc, internal in ROLES:
        out.append("\t{ %s,\n\t  %s, %s },\n" % (c_str(name), c_str(desc),
                                                  "true" if internal else "false"))
    out.append("};\nconst size_t xd_decl_nroles = %d;\n\n" % len(ROLES))
    out.append("const xd_decl_http_action xd_decl_http_actions[] = {\n")
    for handler, action, least in HTTP_ACTIONS:
        out.append("\t{ %s, %s, 0x%x },\n" % (c_str(handler), c_str(action),
                                              role_mask(roles_gte(least), action)))
    out.append("};\nconst size_t xd_decl_nhttp_actions = %d;\n" % len(HTTP_ACTIONS))
    return "".join(out)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    stats = "--stats" in argv[1:]
    if not args or len(args) > 2:
        sys.stderr.write("usage: dmgen.py [--stats] xenapi-datamodel.json [OUTDIR]\n")
        return 2
    outdir = args[1] if len(args) == 2 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")
    with open(args[0], encoding="utf-8") as fh:
        model = json.load(fh)
    try:
        classes, enums = build(model)
    except GenError as e:
        sys.stderr.write("dmgen: %s\n" % e)
        return 1
    if stats:
        for c in classes:
            print("%-18s fields %3d messages %3d" % (c["name"], len(c["fields"]), len(c["messages"])))
        print("enums %d" % len(enums))
        return 0
    for fname, text in (("dm_decl.h", write_header()),
                        ("dm_decl.c", write_source(classes, enums))):
        path = os.path.join(outdir, fname)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
