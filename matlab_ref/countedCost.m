function [J, grad] = countedCost(f, p)
%COUNTEDCOST Call an objective and count the call.
%   [J, grad] = countedCost(f, p) returns f(p) and adds 1 to the global
%   NN3_EVAL_COUNT. Wrap an objective as @(p) countedCost(f, p) to count
%   how many times an optimiser evaluates it (a global is used because
%   anonymous functions capture variables by value in both MATLAB and
%   Octave). Reset with: global NN3_EVAL_COUNT; NN3_EVAL_COUNT = 0;

global NN3_EVAL_COUNT
if isempty(NN3_EVAL_COUNT)
    NN3_EVAL_COUNT = 0;
end
NN3_EVAL_COUNT = NN3_EVAL_COUNT + 1;
[J, grad] = f(p);

end
