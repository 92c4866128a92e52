function desc = seedRand()
%SEEDRAND Put rand's Mersenne Twister into a fixed state.
%   desc = seedRand() seeds the global stream used by rand and returns a
%   description of what was done (it is saved with the outputs).
%   MATLAB:  rng(0, 'twister')        (MATLAB's default stream state)
%   Octave:  rand('twister', 5489)
%   The two engines produce different numbers from these states, which
%   is why make_reference saves every random weight it uses.

if exist('OCTAVE_VERSION', 'builtin') ~= 0
    rand('twister', 5489); %#ok<RAND>
    desc = 'Octave: rand(''twister'', 5489)';
else
    rng(0, 'twister');
    desc = 'MATLAB: rng(0, ''twister'')';
end

end
