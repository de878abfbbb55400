/* libFuzzer target: the profile reader (Docker/OCI JSON, Confine layouts). */
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"
#include "util/error.h"
#include "util/strbuf.h"

static void drop(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile p;
	enum profile_kind kind;

	profile_init(&p, SYS_ARCH_X86_64);
	if (!profile_read_buf((const char *)data, size, "fuzz", &p, &kind)) {
		struct strbuf sb = STRBUF_INIT;

		/* Whatever was read renders, and re-reads to the same set. */
		if (!profile_render(&p, PROFILE_DOCKER, &sb)) {
			struct profile q;

			profile_init(&q, SYS_ARCH_X86_64);
			if (profile_read_buf(sb.buf, sb.len, "again", &q, NULL) ||
			    __builtin_memcmp(&p.allow, &q.allow, sizeof(p.allow)))
				__builtin_trap();
			profile_release(&q);
		}
		strbuf_release(&sb);
		profile_check_names(&p);
	}
	profile_release(&p);
	warn_drain(drop, NULL);
	return 0;
}
