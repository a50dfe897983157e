"""Sustain: quality governance for adult social care providers in England."""

import os

# NumPy's BLAS would start one thread per core for every matrix product. Sustain's products
# are small (e.g. the similarity of a location's supervision notes) and run beside web
# requests and other jobs, where extra threads only fight over the cores: on a busy 2-core
# machine one thread made the drift job's note comparisons four times faster. An operator
# may still set these variables.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
