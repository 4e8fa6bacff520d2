/*
 * bcryptprimitives.dll for Wine 8.0 (Debian 12), which lacks it: Go 1.22
 * and later load it at start for ProcessPrng, and stop with "fatal error:
 * bcryptprimitives.dll not found" without it. Real Windows (8 and later)
 * has it; this is for running popvault's tests under Wine only, and is
 * never shipped. ProcessPrng fills the buffer from RtlGenRandom
 * (advapi32's SystemFunction036), the generator Go used before.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
