/* `lbsim calibrate` (sim/calibrate/): in the lbsim_calibrate library, which
 * alone links OpenSSL's libssl. */
#ifndef LBSIM_CALIBRATE_H
#define LBSIM_CALIBRATE_H

int calibrate_main(int argc, char **argv);

#endif
