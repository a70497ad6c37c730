/* where.h - xapi's filter expression language, the argument of
 * <class>.get_all_records_where / get_all_where (and of SM drivers' queries):
 *
 *   expr  := value "=" value | expr "and" expr | expr "or" expr
 *          | "not" expr | "true" | "false" | "(" expr ")"
 *   value := "\"" literal "\"" | "field" "\"" name "\""
 *
 * as upstream's ocaml/database/db_filter_lex.mll and db_filter_parse.mly:
 * "and" and "or" bind equally and group to the left (a or b and c is
 * (a or b) and c); "not" binds loosest (not a and b is not (a and b));
 * literals have no escapes (everything up to the next '"'); there is no "<>";
 * blanks are space, tab and newline only; keywords need no separator.
 * Field names may be given in db column form ("name__label") or wire form.
 *
 * Owns: the parsed tree (xd_where_free).
 */
#ifndef XD_WHERE_H
#define XD_WHERE_H

#include <stdbool.h>

#include "dm.h"
#include "error.h"
#include "value.h"

typedef struct xd_where xd_where;

/* Parses expr. Bad syntax gives what xapi gives (its exnHelper turns
 * Db_filter.Expression_error into INVALID_VALUE [expr; exception text]):
 *   INVALID_VALUE [expr, "Stdlib.Parsing.Parse_error"]       grammar error
 *   INVALID_VALUE [expr, "Failure(\"lexing: empty token\")"]  a character
 *       that starts no token (or an unterminated literal) is met first
 * and, a limit of ours, INVALID_VALUE [expr, "expression nested too deeply"]
 * beyond 1000 levels of parentheses / not. */
xd_where *xd_where_parse(const char *expr, xd_error *err);

/* Evaluates w against one object of class c whose field values are
 * fields[0 .. c->nfields). A field is compared by its db string form
 * (xd_dm_value_to_db_string) with the other side, byte for byte. A
 * comparison that names a field c does not have is false (upstream raises
 * an error from the db instead). */
bool xd_where_eval(const xd_where *w, const xd_class *c, const xd_value *const *fields);

void xd_where_free(xd_where *w);

#endif
