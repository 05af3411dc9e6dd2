"""Building blocks with nothing of the metropolis in them: parameters, seeds, counter-based random
numbers, chunked kernels, the input error, atomic files and the submodel life cycle."""
