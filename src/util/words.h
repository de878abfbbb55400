#ifndef CONFINE_UTIL_WORDS_H
#define CONFINE_UTIL_WORDS_H

/*
 * Split 's' into words the way a POSIX shell would for a simple command:
 * blanks separate, '...' and "..." quote, backslash escapes.  No expansion.
 * At most 64 KiB and 4096 words.  On success *argv (NULL-terminated, caller
 * frees with words_free()) and *argc are set.  -EINVAL for an unterminated
 * quote or too long a string.
 */
int words_split(const char *s, char ***argv, int *argc);
void words_free(char **argv);

#endif
