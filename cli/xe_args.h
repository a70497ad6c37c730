/* xe_args.h - the xe command line, split into connection options, the
 * command name, key=value parameters and positional words.
 *
 * xe's own syntax: options may appear anywhere (`-s HOST`, `-p PORT`,
 * `-u USER`, `-pw PASSWORD`, `-pwf FILE`, `--socket PATH`, `--minimal`),
 * the same settings also as keywords (`server=`, `port=`, `username=`,
 * `password=`, `passwordfile=`), `--flag` means `flag=true` and
 * `--key=value` means `key=value`. The first word without '=' is the
 * command. For `call` every later word is positional (a JSON argument may
 * contain '=').
 *
 * Owns: every string in an xe_opts (heap copies), freed by xe_opts_clear().
 */
#ifndef XE_ARGS_H
#define XE_ARGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct xe_kv {
	char *key;
	char *val;
} xe_kv;

typedef struct xe_opts {
	char *server;        /* -s / server=; NULL: the unix socket */
	int port;            /* -p / port= / -s host:port; 0: default (80) */
	char *username;      /* -u / username= */
	char *password;      /* -pw / password= */
	char *pwfile;        /* -pwf / passwordfile= (read by the caller) */
	char *socket;        /* --socket / socket= */
	bool minimal;        /* --minimal / minimal=true */
	bool help;           /* --help / -help */
	bool version;        /* --version / -version */
	bool nossl;          /* --nossl: plain HTTP with -s */
	bool debug;          /* --debug: print the JSON-RPC traffic on stderr */
	char *command;       /* NULL if none given */
	xe_kv *params;       /* key=value in command-line order */
	size_t nparams;
	char **words;        /* positional words after the command */
	size_t nwords;
} xe_opts;

/* Parses argv[1..argc-1]. Returns 0, or -1 with a one-line message in *why
 * (heap) for a missing option value or a bad port. */
int xe_args_parse(int argc, char *const *argv, xe_opts *o, char **why);
void xe_opts_clear(xe_opts *o);

/* The value of the last key=value parameter named key, or NULL. */
const char *xe_opts_get(const xe_opts *o, const char *key);
/* True if the parameter is present and reads as true (true/yes/1/on...). */
bool xe_opts_flag(const xe_opts *o, const char *key);

/* Splits "host:port" / "[v6]:port" / "host" into *host (heap) and *port
 * (0 if absent). Returns -1 if the port is not a number in 1..65535. */
int xe_split_host_port(const char *s, char **host, int *port);

/* xe's boolean words: true/t/yes/y/1/on and false/f/no/n/0/off (any case).
 * Returns 0 and sets *out, or -1. */
int xe_parse_bool(const char *s, bool *out);

#endif
