# Host unit tests of llmctl's sentences and short durations
# (tools/llmctl/text.c): the lines `llmctl watch` prints are pinned.
PROGRAMS += unit-llmctl-text
UNIT_TESTS += unit-llmctl-text
unit-llmctl-text_SRCS := selftests/unit/llmctl_text.c tools/llmctl/text.c \
	$(LIBLLMSCHED_SRCS)
