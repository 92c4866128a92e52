% three_layers.m -- trying a network with two hidden layers (a script; nn3's tests)
sizes = [2 3 3 1];
for k = 1:numel(sizes) - 1
  printf('layer %d: %d x %d\n', k, sizes(k + 1), sizes(k) + 1);
end
