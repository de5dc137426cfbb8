# libllmsched (runtime/lib/): the userspace library of llmsched.  A program
# that uses it lists $(LIBLLMSCHED_SRCS) in its NAME_SRCS and includes
# runtime/lib/libllmsched.h (or the one header it needs); see
# runtime/lib/README.  The top Makefile includes runtime/ fragments before
# those of tools/ and selftests/, so they may use it with :=.
LIBLLMSCHED_SRCS := runtime/lib/error.c runtime/lib/fileio.c \
	runtime/lib/payload.c runtime/lib/cgroup.c runtime/lib/spawn.c \
	runtime/lib/sysfs.c runtime/lib/ioctl.c \
	runtime/lib/units.c runtime/lib/tasklog.c

# The netlink event listener (events.h) needs libnl-genl-3, so it is a
# list of its own: a program that listens adds all three to its NAME_SRCS,
# NAME_CFLAGS and NAME_LDLIBS; the others do not link libnl.
LIBLLMSCHED_EVENTS_SRCS := runtime/lib/events.c
LIBLLMSCHED_EVENTS_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0)
LIBLLMSCHED_EVENTS_LDLIBS := $(shell pkg-config --libs libnl-genl-3.0)

# The history of ended tasks (history.h), on Debian's libsqlite3: kept out
# of LIBLLMSCHED_SRCS so that only the programs that use it link SQLite.
# Such a program lists both source lists and adds the library:
#   NAME_SRCS := ... $(LIBLLMSCHED_SRCS) $(LIBLLMSCHED_HISTORY_SRCS)
#   NAME_LDLIBS := $(LIBLLMSCHED_HISTORY_LDLIBS)
LIBLLMSCHED_HISTORY_SRCS := runtime/lib/history.c
LIBLLMSCHED_HISTORY_LDLIBS := -lsqlite3
