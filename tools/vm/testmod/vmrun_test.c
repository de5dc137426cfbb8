// SPDX-License-Identifier: GPL-2.0
/*
 * vmrun_test.ko: makes the kernel report a problem on purpose, so that
 * tools/vm/selftest can check that tools/vmrun notices it.
 *
 *   insmod vmrun_test.ko what=warn     WARN_ON(1): a "WARNING:" with a trace
 *   insmod vmrun_test.ko what=oops     NULL dereference: an Oops (and, with
 *                                      oops=panic, the end of the VM)
 *   insmod vmrun_test.ko what=list     list_add corruption (BUG with
 *                                      CONFIG_BUG_ON_DATA_CORRUPTION)
 *   insmod vmrun_test.ko               loads quietly
 *
 * Not part of llmsched; never load it outside a throw-away VM.
 */
#include <linux/module.h>
#include <linux/list.h>
#include <linux/string.h>

static char *what = "";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "warn, oops or list");

static int __init vmrun_test_init(void)
{
	if (!strcmp(what, "warn")) {
		WARN_ON(1);
	} else if (!strcmp(what, "oops")) {
		int *volatile p = NULL;

		*p = 1;
	} else if (!strcmp(what, "list")) {
		static LIST_HEAD(head);
		static struct list_head a, b, c;

		list_add(&a, &head);
		a.prev = &b;		/* head.next->prev no longer head */
		list_add(&c, &head);
	}
	return 0;
}

static void __exit vmrun_test_exit(void)
{
}

module_init(vmrun_test_init);
module_exit(vmrun_test_exit);
MODULE_DESCRIPTION("tools/vmrun self-test: provoke kernel reports");
MODULE_LICENSE("GPL");
