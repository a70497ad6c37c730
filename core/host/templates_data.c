/* templates_data.c - core/host/templates.json inside the binary, NUL
 * terminated, as xd_templates_json: the catalogue ships with the daemon it
 * belongs to, with no file to find at run time. (Makefile.am makes this
 * object depend on the JSON and passes its path as XD_TEMPLATES_JSON.) */
__asm__(".section .rodata\n"
	".global xd_templates_json\n"
	".hidden xd_templates_json\n"
	".type xd_templates_json, @object\n"
	"xd_templates_json:\n"
	".incbin \"" XD_TEMPLATES_JSON "\"\n"
	".byte 0\n"
	".size xd_templates_json, . - xd_templates_json\n"
	".previous\n");
