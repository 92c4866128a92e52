function g = sigmoid (z)
  ## logistic function
  g = 1 ./ (1 + e .^ -z);
endfunction
