# The scheduling engine: plain C, no kernel header.  The same list is
# compiled into llmsched.ko (Kbuild) and into userspace programs (Makefile).
CORE_SRCS := kmod/core/tree.c kmod/core/engine.c
