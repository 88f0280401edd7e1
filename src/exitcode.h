/* Process exit codes: the contract scripts rely on (man/ttymeet.1, EXIT STATUS). */
#ifndef TTM_SRC_EXITCODE_H
#define TTM_SRC_EXITCODE_H

enum ttm_exit {
	TTM_EXIT_OK = 0,     /* left normally */
	TTM_EXIT_USAGE = 2,  /* bad command line */
	TTM_EXIT_SERVER = 3, /* cannot reach or keep the server, or it broke the protocol */
	TTM_EXIT_ROOM = 4,   /* room refused: no such room, bad pin, full, kicked */
	TTM_EXIT_MEDIA = 5,  /* ICE/DTLS failed */
	TTM_EXIT_INPUT = 6,  /* bad local input: file, device */
	TTM_EXIT_SCRIPT = 7, /* a script expectation was not met */
};

#endif
