#ifndef CONFINE_ENGINE_RUNOPTS_H
#define CONFINE_ENGINE_RUNOPTS_H

#include "engine/container.h"

/*
 * `docker run` options, as Confine's images JSON spells them in "options"
 * ("-e KEY=V -p 8080:80 -v /a:/b --entrypoint X ..."), parsed into a
 * container_spec.  Options confine cannot honour (or that would defeat the
 * seccomp profile, such as --privileged or --security-opt seccomp=...) are
 * rejected with a message naming the option.
 */


/*
 * Parse the options string 'opts' into 'spec' (already initialised; values
 * are added/overridden).  Returns 0 or -EINVAL with a message like
 * "docker run option '--privileged' is not supported: it turns seccomp off".
 */
int runopts_parse(const char *opts, struct container_spec *spec);

/*
 * The arguments after the image ('args', split like the options; the
 * images JSON "args"): they replace the image's Cmd.  Returns 0 or -EINVAL.
 */
int runopts_args(const char *args, struct container_spec *spec);

/* Same for an already split argument vector. */
int runopts_parse_argv(int argc, char **argv, struct container_spec *spec);

/*
 * Parse a byte size ("64m", "1g", "512k", "1024", "1.5g") into *bytes.
 * Returns 0 or -EINVAL.
 */
int runopts_parse_size(const char *s, int64_t *bytes);

#endif
