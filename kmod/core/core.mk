# The scheduling engine: plain C, no kernel header.  The same list is
# compiled into llmsched.ko (Kbuild) and into userspace programs (Makefile).
# One idea per file, see kmod/core/internal.h.
CORE_SRCS := kmod/core/tree.c kmod/core/engine.c kmod/core/runq.c \
	kmod/core/ledger.c kmod/core/deps.c kmod/core/dispatch.c \
	kmod/core/balance.c kmod/core/preempt.c kmod/core/estimator.c
