// SPDX-License-Identifier: GPL-2.0-or-later
/* qnetctl: monitor client (placeholder until the monitor lands). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "qnetctl: not built yet\n");
	return 1;
}
