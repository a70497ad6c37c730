/* dm_dump.c - prints lib/dm_decl.c, the declaration of the classes xapid
 * serves, as JSON on stdout: the input of tools/cbindgen.py, so that the C
 * bindings are generated from the very tables the server runs on. A build
 * tool, never installed. Names in the declaration are plain identifiers and
 * type texts; nothing in them needs JSON escaping but quotes, handled. */
#include <stdio.h>

#include "dm_decl.h"

static void str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

int main(void)
{
	size_t i, j, k;

	fputs("{\"enums\": [", stdout);
	for (i = 0; i < xd_decl_nenums; i++) {
		printf("%s\n {\"name\": ", i ? "," : "");
		str(xd_decl_enums[i].name);
		fputs(", \"values\": [", stdout);
		for (j = 0; j < xd_decl_enums[i].nvalues; j++) {
			fputs(j ? ", " : "", stdout);
			str(xd_decl_enums[i].values[j]);
		}
		fputs("]}", stdout);
	}
	fputs("],\n\"classes\": [", stdout);
	for (i = 0; i < xd_decl_nclasses; i++) {
		const xd_decl_class *c = &xd_decl_classes[i];

		printf("%s\n {\"name\": ", i ? "," : "");
		str(c->name);
		fputs(", \"fields\": [", stdout);
		for (j = 0; j < c->nfields; j++) {
			printf("%s\n  {\"name\": ", j ? "," : "");
			str(c->fields[j].name);
			fputs(", \"type\": ", stdout);
			str(c->fields[j].type);
			putchar('}');
		}
		fputs("],\n  \"messages\": [", stdout);
		for (j = 0; j < c->nmessages; j++) {
			const xd_decl_message *m = &c->messages[j];

			printf("%s\n  {\"name\": ", j ? "," : "");
			str(m->name);
			fputs(", \"result\": ", stdout);
			str(m->result);
			printf(", \"async\": %s, \"implicit\": %s, \"hidden\": %s, \"session\": %s,"
			       " \"params\": [",
			       m->flags & XD_MSG_ASYNC ? "true" : "false",
			       m->flags & XD_MSG_IMPLICIT ? "true" : "false",
			       m->flags & XD_MSG_HIDDEN ? "true" : "false",
			       m->flags & XD_MSG_NO_SESSION ? "false" : "true");
			for (k = 0; k < m->nparams; k++) {
				fputs(k ? ", {\"name\": " : "{\"name\": ", stdout);
				str(m->params[k].name);
				fputs(", \"type\": ", stdout);
				str(m->params[k].type);
				putchar('}');
			}
			fputs("]}", stdout);
		}
		fputs("]}", stdout);
	}
	fputs("]}\n", stdout);
	return ferror(stdout) ? 1 : 0;
}
