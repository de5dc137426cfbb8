# llmsched's ioctl numbers against the kernel's register of them, unpacked
# from linux-source-6.1 with the kselftest harness.
IOCTL_NUMBER_RST := $(BUILD)/src/Documentation/userspace-api/ioctl/ioctl-number.rst
PROGRAMS += unit-ioctl-number
UNIT_TESTS += unit-ioctl-number
unit-ioctl-number_SRCS := selftests/unit/ioctl_number.c
unit-ioctl-number_CFLAGS := -DIOCTL_NUMBER_RST='"$(CURDIR)/$(IOCTL_NUMBER_RST)"'

$(OBJ)/selftests/unit/ioctl_number.o: $(IOCTL_NUMBER_RST)

$(IOCTL_NUMBER_RST):
	@test -r $(LINUX_SOURCE_TAR) || { echo "missing $(LINUX_SOURCE_TAR): run tools/install-deps" >&2; exit 1; }
	@mkdir -p $(BUILD)/src
	tar -xJf $(LINUX_SOURCE_TAR) -C $(BUILD)/src --strip-components=1 \
		linux-source-6.1/Documentation/userspace-api/ioctl/ioctl-number.rst
