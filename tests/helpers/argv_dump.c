/* SPDX-License-Identifier: MulanPSL-2.0 */
/* Test helper: print each argument (after argv[0]) as "<length>:<bytes>\n",
 * so a test sees exactly which argv a shell produced from a command line. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        printf("%zu:", strlen(argv[i]));
        fwrite(argv[i], 1, strlen(argv[i]), stdout);
        putchar('\n');
    }
    return 0;
}
