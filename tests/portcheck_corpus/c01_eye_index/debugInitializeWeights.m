function W = debugInitializeWeights(fan_out, fan_in)
% fixed weights from sin, for checking gradients
W = reshape(sin(1:fan_out * (1 + fan_in)), fan_out, 1 + fan_in) / 10;
end
