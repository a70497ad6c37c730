#!/usr/bin/env python3
"""cbindgen.py - writes libxenserver's generated sources (xapi-c's C bindings,
source-compatible with the XenServer C SDK) from the declaration xapid
serves: the JSON that clients/c/dm_dump prints from lib/dm_decl.c.

    python3 tools/cbindgen.py DUMP.json ERRORS.txt OUTDIR

OUTDIR gets include/xen/api/*.h (the public headers: one per class, its
_decl.h, one per enum and per map type, xen_all.h, xen_api_failure.h,
xen_api_version.h) and src/ (xen_gen_types.[ch]: descriptors, enums, maps,
failures, versions; xen_gen_classes_[ab].c: the messages). ERRORS.txt lists
the XenAPI error codes (clients/c/api-errors.txt), one a line.

Names, types and argument orders follow the SDK's rules: xen_<class>_<message>
in lower case, the result pointer after the session, an _async form taking
xen_task *result for each message with an Async form; refs are xen_<class>
handles in arguments and results and xen_<class>_record_opt inside records;
maps are xen_<key>_<value>_map. The runtime they call is hand-written in
clients/c/src (xen_internal.h). Output depends only on the input.
"""

import json
import os
import re
import sys

# The XenAPI versions the SDK's xen_api_version enumerates (major, minor),
# in release order; the enum's values are their positions from 1.
API_VERSIONS = [(1, m) for m in range(1, 11)] + [(2, m) for m in range(0, 16)] + \
    [(2, 20), (2, 21), (2, 23)]

# Hand-written in clients/c (xen_common.h, xen_event_batch.h) as in the SDK.
HAND_WRITTEN = {("session", None), ("event", "from")}
# Messages the SDK leaves out.
SKIP_MESSAGES = {"get", "get_data_sources"}
KEYWORDS = {"class": "XEN_CLAZZ", "public": "pubblic"}
# Maps the SDK declares whether or not a message uses them.
EXTRA_MAPS = ["(string -> int) map", "(int -> int) map", "(string -> string set) map",
              "(string -> (string -> string) map) map"]


class GenError(Exception):
    pass


# ---- types ---------------------------------------------------------------

def split_map(text):
    """'(K -> V) map' -> (K, V), at the top-level arrow."""
    inner = text[1:-len(") map")]
    depth = 0
    for i, ch in enumerate(inner):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and inner.startswith(" -> ", i):
            return inner[:i], inner[i + 4:]
    raise GenError("bad map type %r" % text)


def parse_type(text):
    """A type text into a tuple: ('string',) ('ref', cls) ('enum', e)
    ('set', t) ('map', k, v) ('record', cls) or None if not representable."""
    text = text.strip()
    if text in ("string", "int", "float", "bool", "datetime"):
        return (text,)
    if text.startswith("(") and text.endswith(") map"):
        k, v = split_map(text)
        kt, vt = parse_type(k), parse_type(v)
        return ("map", kt, vt) if kt and vt else None
    if text.endswith(" set"):
        t = parse_type(text[:-4])
        return ("set", t) if t else None
    m = re.fullmatch(r"enum (\w+)", text)
    if m:
        return ("enum", m.group(1))
    m = re.fullmatch(r"(\w+) ref", text)
    if m:
        return ("ref", m.group(1))
    m = re.fullmatch(r"(\w+) record", text)
    if m:
        return ("record", m.group(1))
    return None


def low(name):
    return name.lower()


def ident(name):
    name = low(name)
    return KEYWORDS.get(name, name)


def name_of(t):
    """The SDK's name of a type inside map names."""
    k = t[0]
    if k in ("string", "int", "float", "bool", "datetime"):
        return k
    if k == "enum":
        return t[1]
    if k == "ref":
        return t[1]
    if k == "set":
        return name_of(t[1]) + "_set"
    if k == "map":
        return "%s_%s_map" % (name_of(t[1]), name_of(t[2]))
    if k == "record":
        return "xen_%s_record" % low(t[1])
    raise GenError("no name for %r" % (t,))


def map_name(t):
    return "xen_" + low("%s_%s_map" % (name_of(t[1]), name_of(t[2])))


def c_type(t, rec):
    """The C type of t (rec: inside a record or a map value)."""
    k = t[0]
    if k == "string":
        return "char *"
    if k == "int":
        return "int64_t "
    if k == "float":
        return "double "
    if k == "bool":
        return "bool "
    if k == "datetime":
        return "time_t "
    if k == "ref" and t[1] == "session" and not rec:
        # As the SDK: a session argument or result is the caller's xen_session.
        return "xen_session *"
    if k == "ref":
        return "struct xen_%s_record_opt *" % low(t[1]) if rec else "xen_%s " % low(t[1])
    if k == "enum":
        return "enum xen_%s " % t[1]
    if k == "set":
        e = t[1]
        if e[0] == "ref":
            return ("struct xen_%s_record_opt_set *" if rec else "struct xen_%s_set *") % low(e[1])
        if e[0] == "enum":
            return "struct xen_%s_set *" % e[1]
        if e[0] == "string":
            return "struct xen_string_set *"
        if e[0] == "int":
            return "struct xen_int_set *"
        if e[0] == "set" and e[1][0] == "string":
            return "struct xen_string_set_set *"
        if e[0] == "record":
            return "struct xen_%s_record_set *" % low(e[1])
        raise GenError("no C type for a set of %r" % (e,))
    if k == "map":
        return "%s *" % map_name(t)
    if k == "record":
        return ("struct xen_%s_record *" if rec else "xen_%s_record *") % low(t[1])
    raise GenError("no C type for %r" % (t,))


def walk(t):
    yield t
    if t[0] == "set":
        yield from walk(t[1])
    elif t[0] == "map":
        yield from walk(t[1])
        yield from walk(t[2])


class Gen:
    def __init__(self, dump, errors):
        self.enums = {e["name"]: e["values"] for e in dump["enums"]}
        self.errors = errors
        self.classes = [c for c in dump["classes"] if c["name"] != "session"]
        self.served = {c["name"]: c for c in dump["classes"]}
        self.cls_name = {}          # lower -> declared name, for every class named
        self.descs = {}             # key -> (ident, definition or None)
        self.desc_order = []
        self.maps = {}              # map name -> type
        self.used_enums = set()
        self.skipped = []
        for c in dump["classes"]:
            self.cls_name[low(c["name"])] = c["name"]

    # ---- descriptors ----

    def desc(self, t, rec):
        """The identifier of t's descriptor, defining it on first use."""
        k = t[0]
        if k == "string" or (k == "ref" and not rec):
            return "xen_t_string_"
        if k in ("int", "float", "bool", "datetime"):
            return "xen_t_%s_" % k
        if k == "set":
            e = t[1]
            if e[0] == "string" or (e[0] == "ref" and not rec):
                return "xen_t_string_set_"
            if e[0] == "int":
                return "xen_t_int_set_"
            if e[0] == "set" and e[1][0] == "string":
                return "xen_t_string_set_set_"
        key = repr((t, rec if k in ("set", "map") else k == "ref"))
        if key in self.descs:
            return self.descs[key][0]
        name = "xt_%d_%s" % (len(self.descs), re.sub(r"\W+", "_", name_of(t)).strip("_").lower())
        self.descs[key] = (name, None)
        if k == "enum":
            self.used_enums.add(t[1])
            body = ("{ .kind = XK_ENUM, .names = xen_%s_names_, .nnames = %d }"
                    % (t[1], len(self.enums[t[1]])))
        elif k == "ref":
            self.note_class(t[1])
            body = "{ .kind = XK_REF_OPT, .elem = &xt_rec_%s }" % low(t[1])
        elif k == "record":
            self.note_class(t[1])
            name = "xt_rec_%s" % low(t[1])
            self.descs[key] = (name, None)
            body = None  # written with the class
        elif k == "set":
            e = t[1]
            body = "{ .kind = XK_SET, .size = sizeof(%s), .elem = &%s }" % (
                c_type(e, rec).strip(), self.desc(e, rec))
        elif k == "map":
            mn = map_name(t)
            self.maps[mn] = t
            body = ("{ .kind = XK_MAP, .size = sizeof(%s_contents), .elem = &%s, .val = &%s,"
                    " .val_offset = offsetof(%s_contents, val) }"
                    % (mn, self.desc(t[1], False), self.desc(t[2], True), mn))
        else:
            raise GenError("no descriptor for %r" % (t,))
        self.descs[key] = (name, body)
        self.desc_order.append(key)
        return name

    def note_class(self, name):
        self.cls_name.setdefault(low(name), name)

    def note_type(self, t, rec):
        for sub in walk(t):
            if sub[0] == "enum":
                self.used_enums.add(sub[1])
            if sub[0] in ("ref", "record"):
                self.note_class(sub[1])
        self.desc(t, rec)

    # ---- the model ----

    def fields(self, c):
        out = []
        for f in c["fields"]:
            t = parse_type(f["type"])
            if t is None:
                self.skipped.append("%s.%s (field of type %s)" % (c["name"], f["name"], f["type"]))
                continue
            out.append((f["name"], t))
        return out

    def messages(self, c):
        out = []
        for m in c["messages"]:
            if m["hidden"] or m["name"] in SKIP_MESSAGES or (c["name"], m["name"]) in HAND_WRITTEN:
                continue
            params = [(p["name"], parse_type(p["type"])) for p in m["params"]]
            result = None if m["result"] == "void" else parse_type(m["result"])
            if any(t is None for _, t in params) or (m["result"] != "void" and result is None):
                self.skipped.append("%s.%s" % (c["name"], m["name"]))
                continue
            out.append({"name": m["name"], "params": params, "result": result,
                        "async": m["async"], "session": m["session"]})
        return out

    def prepare(self):
        self.model = []
        for c in self.classes:
            fields, msgs = self.fields(c), self.messages(c)
            for _, t in fields:
                self.note_type(t, True)
            for m in msgs:
                for _, t in m["params"]:
                    self.note_type(t, False)
                if m["result"]:
                    self.note_type(m["result"], False)
            self.model.append((c["name"], fields, msgs))
        for text in EXTRA_MAPS:
            self.note_type(parse_type(text), False)
        self.note_class("host")
        self.note_class("task")
        # Every class named gets its record_opt descriptor (which may name
        # more classes), before the sources are written.
        done = set()
        while set(self.cls_name) - done:
            for lname in sorted(set(self.cls_name) - done):
                done.add(lname)
                if lname not in ("session", "event"):
                    self.desc(("ref", self.cls_name[lname]), True)
        # Classes referenced but not served: handles, sets and a minimal
        # record (handle, uuid) so that the records naming them are complete.
        served = {low(n) for n, _, _ in self.model}
        self.unserved = sorted(n for n in self.cls_name if n not in served and n != "session")

    # ---- headers ----

    def decl_header(self, lname, is_event):
        g = "XEN_%s_DECL_H" % lname.upper()
        out = ["/* xen_%s_decl.h - the %s handle and forward declarations"
               " (generated by tools/cbindgen.py). */\n" % (lname, self.cls_name[lname]),
               "#ifndef %s\n#define %s\n\n" % (g, g)]
        if not is_event:
            out.append("typedef void *xen_%s;\n\nstruct xen_%s_set;\n" % (lname, lname))
        out.append("struct xen_%s_record;\nstruct xen_%s_record_set;\n" % (lname, lname))
        if not is_event:
            out.append("struct xen_%s_record_opt;\nstruct xen_%s_record_opt_set;\n"
                       % (lname, lname))
        out.append("\n#endif\n")
        return "".join(out)

    def includes_for(self, types):
        inc = {"xen_common", "xen_string_set"}
        for t in types:
            for sub in walk(t):
                if sub == ("ref", "session"):
                    continue  # xen_session is xen_common.h's
                if sub[0] in ("ref", "record"):
                    inc.add("xen_%s_decl" % low(sub[1]))
                elif sub[0] == "enum":
                    inc.add("xen_%s" % sub[1])
                elif sub[0] == "map":
                    inc.add(map_name(sub))
                elif sub[0] == "set" and sub[1][0] == "int":
                    inc.add("xen_int_set")
                elif sub[0] == "set" and sub[1][0] == "set":
                    inc.add("xen_string_set_set")
        return "".join("#include <xen/api/%s.h>\n" % i for i in sorted(inc))

    def class_header(self, lname, fields, msgs):
        is_event = lname == "event"
        g = "XEN_%s_H" % lname.upper()
        types = [t for _, t in fields] + [t for m in msgs for _, t in m["params"]] + \
            [m["result"] for m in msgs if m["result"]]
        out = ["/* xen_%s.h - the %s class (generated by tools/cbindgen.py from the\n"
               " * declaration xapid serves; doc/c-bindings.md). */\n" % (lname, self.cls_name[lname]),
               "#ifndef %s\n#define %s\n\n" % (g, g),
               "#include <xen/api/xen_%s_decl.h>\n" % lname,
               self.includes_for(types), "\n"]
        x = "xen_%s" % lname
        if not is_event:
            out.append("extern void %s_free(%s %s);\n\n" % (x, x, ident(lname)))
            out.append("typedef struct %s_set {\n\tsize_t size;\n\t%s *contents[];\n} %s_set;\n\n"
                       % (x, x, x))
            out.append("extern %s_set *%s_set_alloc(size_t size);\n"
                       "extern void %s_set_free(%s_set *set);\n\n" % (x, x, x, x))
        out.append("typedef struct %s_record {\n" % x)
        if not is_event:
            out.append("\t%s handle;\n" % x)
        for name, t in fields:
            out.append("\t%s%s;\n" % (c_type(t, True), ident(name)))
        out.append("} %s_record;\n\n" % x)
        out.append("extern %s_record *%s_record_alloc(void);\n"
                   "/* Frees the record and everything it holds. */\n"
                   "extern void %s_record_free(%s_record *record);\n\n" % (x, x, x, x))
        if not is_event:
            out.append("typedef struct %s_record_opt {\n\tbool is_record;\n\tunion {\n"
                       "\t\t%s handle;\n\t\t%s_record *record;\n\t} u;\n} %s_record_opt;\n\n"
                       % (x, x, x, x))
            out.append("extern %s_record_opt *%s_record_opt_alloc(void);\n"
                       "extern void %s_record_opt_free(%s_record_opt *record_opt);\n\n"
                       % (x, x, x, x))
        out.append("typedef struct %s_record_set {\n\tsize_t size;\n\t%s_record *contents[];\n"
                   "} %s_record_set;\n\n" % (x, x, x))
        out.append("extern %s_record_set *%s_record_set_alloc(size_t size);\n"
                   "extern void %s_record_set_free(%s_record_set *set);\n\n" % (x, x, x, x))
        if not is_event:
            out.append("typedef struct %s_record_opt_set {\n\tsize_t size;\n"
                       "\t%s_record_opt *contents[];\n} %s_record_opt_set;\n\n" % (x, x, x))
            out.append("extern %s_record_opt_set *%s_record_opt_set_alloc(size_t size);\n"
                       "extern void %s_record_opt_set_free(%s_record_opt_set *set);\n\n"
                       % (x, x, x, x))
        for m in msgs:
            out.append("extern bool %s(%s);\n" % (self.fn_name(lname, m), self.sync_params(m)))
            if m["async"]:
                out.append("extern bool %s_async(%s);\n"
                           % (self.fn_name(lname, m), self.async_params(m)))
        out.append("\n#endif\n")
        return "".join(out)

    @staticmethod
    def fn_name(lname, m):
        return "xen_%s_%s" % (lname, low(m["name"]))

    @staticmethod
    def plist(m):
        return "".join(", %s%s" % (c_type(t, False), ident(n)) for n, t in m["params"])

    def sync_params(self, m):
        res = ", %s*result" % c_type(m["result"], False) if m["result"] else ""
        return "xen_session *session" + res + self.plist(m)

    def async_params(self, m):
        return "xen_session *session, xen_task *result" + self.plist(m)

    def enum_header(self, e):
        vals = self.enums[e]
        g = "XEN_%s_H" % e.upper()
        out = ["/* xen_%s.h - the %s enumeration (generated by tools/cbindgen.py). */\n" % (e, e),
               "#ifndef %s\n#define %s\n\n#include <xen/api/xen_common.h>\n\n" % (g, g),
               "enum xen_%s {\n" % e]
        for v in vals:
            out.append("\tXEN_%s_%s,\n" % (e.upper(), re.sub(r"\W", "_", v.upper())))
        out.append("\t/* a value this SDK does not know */\n\tXEN_%s_UNDEFINED\n};\n\n"
                   % e.upper())
        x = "xen_%s" % e
        out.append("typedef struct %s_set {\n\tsize_t size;\n\tenum %s contents[];\n} %s_set;\n\n"
                   % (x, x, x))
        out.append("extern %s_set *%s_set_alloc(size_t size);\n"
                   "extern void %s_set_free(%s_set *set);\n" % (x, x, x, x))
        out.append("/* The wire name; a static string. */\n"
                   "extern const char *%s_to_string(enum %s val);\n" % (x, x))
        out.append("/* The code of str; _UNDEFINED and the session failed if unknown. */\n"
                   "extern enum %s %s_from_string(xen_session *session, const char *str);\n"
                   % (x, x))
        out.append("\n#endif\n")
        return "".join(out)

    def map_header(self, mn, t):
        g = "%s_H" % mn.upper()
        out = ["/* %s.h - a map (generated by tools/cbindgen.py). */\n" % mn,
               "#ifndef %s\n#define %s\n\n" % (g, g), self.includes_for([t[1], t[2]]), "\n",
               "typedef struct %s_contents {\n\t%skey;\n\t%sval;\n} %s_contents;\n\n"
               % (mn, c_type(t[1], False), c_type(t[2], True), mn),
               "typedef struct %s {\n\tsize_t size;\n\t%s_contents contents[];\n} %s;\n\n"
               % (mn, mn, mn),
               "extern %s *%s_alloc(size_t size);\n"
               "/* Frees the map, its keys and its values. */\n"
               "extern void %s_free(%s *map);\n\n#endif\n" % (mn, mn, mn, mn)]
        return "".join(out)

    def failure_header(self):
        out = ["/* xen_api_failure.h - the XenAPI error codes (generated by\n"
               " * tools/cbindgen.py from clients/c/api-errors.txt). */\n",
               "#ifndef XEN_API_FAILURE_H\n#define XEN_API_FAILURE_H\n\nenum xen_api_failure {\n"]
        for e in self.errors:
            out.append("\tXEN_API_FAILURE_%s,\n" % e.upper())
        out.append("\t/* a code this SDK does not know */\n\tXEN_API_FAILURE_UNDEFINED\n};\n\n"
                   "/* The code's name (a static string). */\n"
                   "extern const char *xen_api_failure_to_string(enum xen_api_failure val);\n"
                   "/* The code of str, or XEN_API_FAILURE_UNDEFINED. */\n"
                   "extern enum xen_api_failure xen_api_failure_from_string(const char *str);\n"
                   "\n#endif\n")
        return "".join(out)

    def version_header(self):
        out = ["/* xen_api_version.h - XenAPI versions (generated by tools/cbindgen.py). */\n"
               "#ifndef XEN_API_VERSION_H\n#define XEN_API_VERSION_H\n\n#include <stdint.h>\n\n"
               "typedef enum xen_api_version {\n"]
        for i, (ma, mi) in enumerate(API_VERSIONS):
            out.append("\txen_api_version_%d_%d = %d,\n" % (ma, mi, i + 1))
        out.append("\txen_api_latest_version = %d,\n\txen_api_unknown_version = 99,\n"
                   "} xen_api_version;\n\n" % len(API_VERSIONS))
        out.append("extern const char *xen_api_version_to_string(xen_api_version version);\n"
                   "extern xen_api_version xen_api_version_from_int(int64_t major_version,"
                   " int64_t minor_version);\n\n#endif\n")
        return "".join(out)

    # ---- sources ----

    def types_source(self):
        out = ["/* xen_gen_types.c - descriptors, enums, maps, failures and versions\n"
               " * (generated by tools/cbindgen.py). */\n"
               "#include <stdlib.h>\n#include <string.h>\n\n#include \"xen_internal.h\"\n"
               "#include \"xen_gen_types.h\"\n#include <xen/api/xen_all.h>\n\n"]
        for e in sorted(self.used_enums):
            out.append("const char *const xen_%s_names_[] = { %s };\n"
                       % (e, ", ".join('"%s"' % v for v in self.enums[e])))
        out.append("\n")
        for key in self.desc_order:
            name, body = self.descs[key]
            if body:
                out.append("const xen_type_ %s = %s;\n" % (name, body))
        out.append("\n")
        # records
        for lname, fields in self.record_fields():
            x = "xen_%s_record" % lname
            if fields:
                out.append("static const xen_member_ xm_%s[] = {\n" % lname)
                for n, t in fields:
                    out.append("\t{ \"%s\", &%s, offsetof(%s, %s) },\n"
                               % (n, self.desc(t, True), x, ident(n)))
                out.append("};\n")
            out.append("const xen_type_ xt_rec_%s = { .kind = XK_RECORD, .size = sizeof(%s),"
                       " .members = %s, .nmembers = %d, .has_handle = %s };\n"
                       % (lname, x, "xm_%s" % lname if fields else "NULL", len(fields),
                          "false" if lname == "event" else "true"))
            out.append("const xen_type_ xt_recset_%s = { .kind = XK_SET, .size = sizeof(void *),"
                       " .elem = &xt_rec_%s };\n" % (lname, lname))
            if lname != "event":
                out.append("const xen_type_ xt_optset_%s = { .kind = XK_SET, .size = sizeof(void *),"
                           " .elem = &%s };\n" % (lname, self.desc(("ref", self.cls_name[lname]), True)))
        out.append("\n")
        for e in sorted(self.used_enums):
            x = "xen_%s" % e
            d = self.desc(("enum", e), False)
            out.append("static const xen_type_ xs_%s = { .kind = XK_SET, .size = sizeof(enum %s),"
                       " .elem = &%s };\n" % (e, x, d))
            out.append("%s_set *%s_set_alloc(size_t size) { return xen_set_alloc_(&xs_%s, size); }\n"
                       % (x, x, e))
            out.append("void %s_set_free(%s_set *set) { xen_free_ptr_(&xs_%s, set); }\n"
                       % (x, x, e))
            out.append("const char *%s_to_string(enum %s val) { return xen_enum_to_string_(&%s, (int)val); }\n"
                       % (x, x, d))
            out.append("enum %s %s_from_string(xen_session *session, const char *str)\n{\n"
                       "\tint v = xen_enum_from_string_(&%s, str ? str : \"\");\n\n"
                       "\tif (v == %d && session)\n"
                       "\t\txen_session_fail_(session, \"SERVER_FAULT\", \"unknown %s value\");\n"
                       "\treturn (enum %s)v;\n}\n" % (x, x, d, len(self.enums[e]), e, x))
        for mn in sorted(self.maps):
            d = self.desc(self.maps[mn], False)
            out.append("%s *%s_alloc(size_t size) { return xen_set_alloc_(&%s, size); }\n"
                       % (mn, mn, d))
            out.append("void %s_free(%s *map) { xen_free_ptr_(&%s, map); }\n" % (mn, mn, d))
        out.append("\nstatic const char *const failures[] = {\n")
        for e in self.errors:
            out.append("\t\"%s\",\n" % e)
        out.append("};\n#define NFAILURES (sizeof(failures) / sizeof(failures[0]))\n\n"
                   "const char *xen_api_failure_to_string(enum xen_api_failure val)\n{\n"
                   "\treturn (size_t)val < NFAILURES ? failures[val] : \"UNDEFINED\";\n}\n\n"
                   "static int cmp_failure(const void *k, const void *e)\n{\n"
                   "\treturn strcmp(k, *(const char *const *)e);\n}\n\n"
                   "enum xen_api_failure xen_api_failure_from_string(const char *str)\n{\n"
                   "\tconst char *const *f = str ? bsearch(str, failures, NFAILURES,"
                   " sizeof(failures[0]), cmp_failure) : NULL;\n\n"
                   "\treturn f ? (enum xen_api_failure)(f - failures) : XEN_API_FAILURE_UNDEFINED;\n}\n\n")
        out.append("const char *xen_api_version_to_string(xen_api_version version)\n{\n"
                   "\tswitch (version) {\n")
        for ma, mi in API_VERSIONS:
            out.append("\tcase xen_api_version_%d_%d: return \"%d.%d\";\n" % (ma, mi, ma, mi))
        out.append("\tdefault: return \"Unknown\";\n\t}\n}\n\n"
                   "xen_api_version xen_api_version_from_int(int64_t major_version,"
                   " int64_t minor_version)\n{\n")
        for ma, mi in API_VERSIONS:
            out.append("\tif (major_version == %d && minor_version == %d)\n"
                       "\t\treturn xen_api_version_%d_%d;\n" % (ma, mi, ma, mi))
        out.append("\treturn xen_api_unknown_version;\n}\n")
        return "".join(out)

    def record_fields(self):
        """(lname, fields) of every class with a record, served ones first."""
        for name, fields, _ in self.model:
            yield low(name), fields
        for lname in self.unserved:
            yield lname, [("uuid", ("string",))]

    def types_header(self):
        out = ["/* xen_gen_types.h - the generated descriptors (tools/cbindgen.py). */\n"
               "#ifndef XEN_GEN_TYPES_H\n#define XEN_GEN_TYPES_H\n\n#include \"xen_internal.h\"\n\n"]
        for key in self.desc_order:
            name, body = self.descs[key]
            if body:
                out.append("extern const xen_type_ %s;\n" % name)
        for lname, _ in self.record_fields():
            out.append("extern const xen_type_ xt_rec_%s, xt_recset_%s;\n" % (lname, lname))
            if lname != "event":
                out.append("extern const xen_type_ xt_optset_%s;\n" % lname)
        for e in sorted(self.used_enums):
            out.append("extern const char *const xen_%s_names_[];\n" % e)
        # Names the hand-written runtime uses.
        out.append("\n#define XEN_T_HOST_OPT_ %s\n" % self.desc(("ref", "host"), True))
        out.append("#define XEN_T_STRING_INT_MAP_ %s\n"
                   % self.desc(parse_type("(string -> int) map"), False))
        out.append("\n#endif\n")
        return "".join(out)

    def class_common_source(self, lname):
        x = "xen_%s" % lname
        out = []
        if lname != "event":
            out.append("void %s_free(%s h) { free(h); }\n" % (x, x))
            out.append("%s_set *%s_set_alloc(size_t size) { return xen_set_alloc_(&xen_t_string_set_, size); }\n" % (x, x))
            out.append("void %s_set_free(%s_set *set) { xen_free_ptr_(&xen_t_string_set_, set); }\n" % (x, x))
            out.append("%s_record_opt *%s_record_opt_alloc(void) { return xen_zalloc_(sizeof(%s_record_opt)); }\n" % (x, x, x))
            opt = self.desc(("ref", self.cls_name[lname]), True)
            out.append("void %s_record_opt_free(%s_record_opt *o) { xen_free_ptr_(&%s, o); }\n" % (x, x, opt))
            out.append("%s_record_opt_set *%s_record_opt_set_alloc(size_t size) { return xen_set_alloc_(&xt_optset_%s, size); }\n" % (x, x, lname))
            out.append("void %s_record_opt_set_free(%s_record_opt_set *set) { xen_free_ptr_(&xt_optset_%s, set); }\n" % (x, x, lname))
        out.append("%s_record *%s_record_alloc(void) { return xen_zalloc_(sizeof(%s_record)); }\n" % (x, x, x))
        out.append("void %s_record_free(%s_record *r) { xen_free_ptr_(&xt_rec_%s, r); }\n" % (x, x, lname))
        out.append("%s_record_set *%s_record_set_alloc(size_t size) { return xen_set_alloc_(&xt_recset_%s, size); }\n" % (x, x, lname))
        out.append("void %s_record_set_free(%s_record_set *set) { xen_free_ptr_(&xt_recset_%s, set); }\n" % (x, x, lname))
        return "".join(out)

    def message_source(self, cname, lname, m):
        out = []
        # A session argument goes on the wire as its id (NULL: the empty ref).
        sess = [ident(n) for n, t in m["params"] if t == ("ref", "session")]
        locals_ = "".join("\tconst char *%s_id_ = %s ? %s->session_id : NULL;\n" % (n, n, n)
                          for n in sess)
        args = "".join("\t\t{ &%s, &%s },\n" % (self.desc(t, False),
                                                 ident(n) + ("_id_" if ident(n) in sess else ""))
                       for n, t in m["params"])
        nargs = len(m["params"])
        call = "xen_call_" if m["session"] else "xen_call_raw_"

        def body(method, rt, result_is_ptr, fix_handle, new_session=False):
            b = [locals_]
            if new_session:
                b.append("\tchar *id_ = NULL;\n")
            if nargs:
                b.append("\tconst xen_arg_ call_args_[] = {\n%s\t};\n" % args)
            if result_is_ptr:
                b.append("\t*result = NULL;\n")
            b.append("\tif (!%s(session, \"%s\", %s, %d, %s, %s))\n\t\treturn false;\n"
                     % (call, method, "call_args_" if nargs else "NULL", nargs,
                        "&" + rt if rt else "NULL",
                        "&id_" if new_session else "result" if rt else "NULL"))
            if new_session:
                # A session ref returned (VDI.open_database) becomes a session
                # on the caller's transport, ended by xen_session_logout.
                b.append("\t*result = xen_session_adopt_(session, id_);\n")
            if fix_handle:
                # The record of a get_record is the object's: its handle is the ref.
                b.append("\tif (*result && !(*result)->handle)\n"
                         "\t\t(*result)->handle = xen_strdup_(%s);\n" % ident(m["params"][0][0]))
            b.append("\treturn true;\n")
            return "".join(b)

        r = m["result"]
        rt = self.desc(r, False) if r else None
        ptr = bool(r) and r[0] in ("string", "ref", "set", "map", "record")
        fix = bool(r) and r[0] == "record" and r[1] != "event" and nargs > 0 and \
            m["params"][0][1][0] == "ref"
        out.append("\nbool %s(%s)\n{\n%s}\n" % (self.fn_name(lname, m), self.sync_params(m),
                                            body("%s.%s" % (cname, m["name"]), rt, ptr, fix,
                                                 r == ("ref", "session"))))
        if m["async"]:
            out.append("\nbool %s_async(%s)\n{\n%s}\n"
                       % (self.fn_name(lname, m), self.async_params(m),
                          body("Async.%s.%s" % (cname, m["name"]), "xen_t_string_", True, False)))
        return "".join(out)

    def classes_sources(self, nshards):
        shards = [[] for _ in range(nshards)]
        weights = [0] * nshards
        head = ("/* xen_gen_classes - the messages of the classes xapid serves\n"
                " * (generated by tools/cbindgen.py). */\n#include <stdlib.h>\n\n"
                "#include \"xen_internal.h\"\n#include \"xen_gen_types.h\"\n"
                "#include <xen/api/xen_all.h>\n")
        units = [(low(n), n, msgs) for n, _, msgs in self.model] + \
            [(l, self.cls_name[l], []) for l in self.unserved]
        for lname, cname, msgs in units:
            i = weights.index(min(weights))
            text = "\n/* ---- %s ---- */\n\n" % cname + self.class_common_source(lname) + \
                "".join(self.message_source(cname, lname, m) for m in msgs)
            shards[i].append(text)
            weights[i] += len(text)
        return [head + "".join(s) for s in shards]

    def all_header(self, names):
        out = ["/* xen_all.h - every header of libxenserver (generated by tools/cbindgen.py). */\n"
               "#ifndef XEN_API_XEN_ALL_H\n#define XEN_API_XEN_ALL_H\n\n"]
        for n in sorted(set(names) | {"xen_api_failure", "xen_api_version", "xen_common",
                                      "xen_event_batch", "xen_int_set", "xen_string_set",
                                      "xen_string_set_set"}):
            out.append("#include <xen/api/%s.h>\n" % n)
        out.append("\n#endif\n")
        return "".join(out)

    def files(self):
        self.prepare()
        files = {}
        inc = "include/xen/api/"
        names = []
        for name, fields, msgs in self.model:
            lname = low(name)
            files[inc + "xen_%s_decl.h" % lname] = self.decl_header(lname, lname == "event")
            files[inc + "xen_%s.h" % lname] = self.class_header(lname, fields, msgs)
            names.append("xen_" + lname)
        for lname in self.unserved:
            files[inc + "xen_%s_decl.h" % lname] = self.decl_header(lname, False)
            files[inc + "xen_%s.h" % lname] = self.class_header(lname, [("uuid", ("string",))], [])
            names.append("xen_" + lname)
        srcs = self.classes_sources(2)
        for i, s in enumerate(srcs):
            files["src/xen_gen_classes_%s.c" % "ab"[i]] = s
        # descriptors are complete once every message has been written
        files["src/xen_gen_types.c"] = self.types_source()
        files["src/xen_gen_types.h"] = self.types_header()
        for e in sorted(self.used_enums):
            files[inc + "xen_%s.h" % e] = self.enum_header(e)
            names.append("xen_" + e)
        for mn in sorted(self.maps):
            files[inc + "%s.h" % mn] = self.map_header(mn, self.maps[mn])
            names.append(mn)
        files[inc + "xen_api_failure.h"] = self.failure_header()
        files[inc + "xen_api_version.h"] = self.version_header()
        files[inc + "xen_all.h"] = self.all_header(names)
        return files


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: cbindgen.py DUMP.json ERRORS.txt OUTDIR\n")
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        dump = json.load(fh)
    with open(argv[2], encoding="utf-8") as fh:
        errors = sorted({l.strip() for l in fh if l.strip() and not l.startswith("#")})
    try:
        files = Gen(dump, errors).files()
    except GenError as e:
        sys.stderr.write("cbindgen: %s\n" % e)
        return 1
    for rel, text in sorted(files.items()):
        path = os.path.join(argv[3], rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Unchanged files keep their time stamps: make rebuilds only what moved.
        try:
            with open(path, encoding="utf-8") as fh:
                if fh.read() == text:
                    continue
        except OSError:
            pass
        with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
