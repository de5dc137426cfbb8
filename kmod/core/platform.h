/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched engine: the only place where the engine meets its environment.
 *
 * The engine (kmod/core/) is plain C compiled three ways: into llmsched.ko
 * (Kbuild defines __KERNEL__), into host unit tests and into the simulator.
 * Engine files include this header and nothing else.  It provides the fixed
 * width integer types, bool, memset/memcpy, 64-bit division, a bit search
 * (lsc_fls64()), a warning macro and the engine's error codes.
 *
 * Error codes: engine functions return 0 or a negative LSC_E* value.  Each
 * LSC_E* value equals the Linux errno of the same meaning (the values are
 * the same on every architecture Linux supports for these codes), so the
 * kernel may return them to userspace unchanged; in kernel builds a static
 * assertion checks each one against <linux/errno.h>.
 */
#ifndef _LSC_PLATFORM_H
#define _LSC_PLATFORM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/math64.h>
#include <linux/errno.h>
#include <linux/bitops.h>

#define LSC_WARN_ON(cond)	WARN_ON_ONCE(cond)

/**
 * lsc_fls64() - find the last (most significant) bit set
 * @x: the word
 *
 * Return: 1 + the index of the highest set bit, 0 when @x is 0.
 */
static inline unsigned int lsc_fls64(u64 x)
{
	return fls64(x);
}

/**
 * lsc_div64_u64() - divide two unsigned 64-bit numbers
 * @a: dividend
 * @b: divisor, must not be zero
 *
 * Return: @a / @b rounded down.
 */
static inline u64 lsc_div64_u64(u64 a, u64 b)
{
	return div64_u64(a, b);
}

#else /* !__KERNEL__ */

#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stddef.h>

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;

#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif
#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef S64_MAX
#define S64_MAX		((s64)(U64_MAX >> 1))
#endif
#ifndef S64_MIN
#define S64_MIN		(-S64_MAX - 1)
#endif

/*
 * Outside the kernel a warning means an engine bug: stop at once so that
 * the unit tests and the simulator cannot run on with corrupt state.
 */
#define LSC_WARN_ON(cond)	({				\
	int __lsc_c = !!(cond);					\
	if (__lsc_c)						\
		__builtin_trap();				\
	__lsc_c;						\
})

static inline u64 lsc_div64_u64(u64 a, u64 b)
{
	return a / b;
}

static inline unsigned int lsc_fls64(u64 x)
{
	return x ? 64 - (unsigned int)__builtin_clzll(x) : 0;
}

#endif /* __KERNEL__ */

/* Engine error codes, equal to the Linux errno values of the same meaning. */
#define LSC_ENOENT	2	/* no such object (ENOENT) */
#define LSC_E2BIG	7	/* demand exceeds every agent (E2BIG) */
#define LSC_EAGAIN	11	/* try again later (EAGAIN) */
#define LSC_EBUSY	16	/* object still in use (EBUSY) */
#define LSC_EEXIST	17	/* already registered (EEXIST) */
#define LSC_EINVAL	22	/* invalid argument (EINVAL) */
#define LSC_ENOSPC	28	/* not enough free capacity (ENOSPC) */
#define LSC_ERANGE	34	/* value out of range (ERANGE) */
/*
 * Registering or resizing an agent would make the sum of reservations exceed
 * the host capacity.  Distinct from LSC_ENOSPC ("no room on that agent"):
 * it equals EDQUOT ("the host's reservation ledger is full").
 */
#define LSC_EOVERCOMMIT	122

#ifdef __KERNEL__
static_assert(LSC_ENOENT == ENOENT);
static_assert(LSC_E2BIG == E2BIG);
static_assert(LSC_EAGAIN == EAGAIN);
static_assert(LSC_EBUSY == EBUSY);
static_assert(LSC_EEXIST == EEXIST);
static_assert(LSC_EINVAL == EINVAL);
static_assert(LSC_ENOSPC == ENOSPC);
static_assert(LSC_ERANGE == ERANGE);
static_assert(LSC_EOVERCOMMIT == EDQUOT);
#endif

#endif /* _LSC_PLATFORM_H */
