# libllmsched (runtime/lib/): the userspace library of llmsched.  A program
# that uses it lists $(LIBLLMSCHED_SRCS) in its NAME_SRCS and includes
# runtime/lib/libllmsched.h (or the one header it needs); see
# runtime/lib/README.  The top Makefile includes runtime/ fragments before
# those of tools/ and selftests/, so they may use it with :=.
LIBLLMSCHED_SRCS := runtime/lib/error.c runtime/lib/fileio.c \
	runtime/lib/payload.c runtime/lib/cgroup.c runtime/lib/spawn.c \
	runtime/lib/sysfs.c runtime/lib/units.c
