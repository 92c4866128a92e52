function W = debugInitializeWeights(fan_out, fan_in)
%DEBUGINITIALIZEWEIGHTS Deterministic, random-free weights for testing.
%   W = debugInitializeWeights(fan_out, fan_in) returns a
%   fan_out x (1 + fan_in) matrix filled column-major with
%   sin(1), sin(2), ... divided by 10. It is identical in every engine,
%   which makes it suitable for gradient checks and parity tests.

W = reshape(sin(1:fan_out * (1 + fan_in)), fan_out, 1 + fan_in) / 10;

end
