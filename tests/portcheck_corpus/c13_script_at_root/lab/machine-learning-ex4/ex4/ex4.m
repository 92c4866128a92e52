% ex4.m -- the exercise's driver as a student keeps it (a script; nn3's tests)
input_layer_size = 400; hidden_layer_size = 25; num_labels = 10;
initial_nn_params = [randInitializeWeights(400, 25)(:); randInitializeWeights(25, 10)(:)];
fprintf('%d parameters\n', numel(initial_nn_params));
