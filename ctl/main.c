// SPDX-License-Identifier: GPL-2.0-or-later
/* qnet: program entry (placeholder until the control plane lands). */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "qnet: not built yet\n");
	return 1;
}
