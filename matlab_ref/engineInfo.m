function [engine, blas, lapack] = engineInfo()
%ENGINEINFO Name and version of the running engine and its BLAS/LAPACK.
%   [engine, blas, lapack] = engineInfo() returns char rows such as
%   'GNU Octave 7.3.0' or 'MATLAB 9.14.0.2206163 (R2023a)', and the
%   strings of version('-blas') / version('-lapack'), or '' where the
%   engine cannot tell.

if exist('OCTAVE_VERSION', 'builtin') ~= 0
    engine = ['GNU Octave ' OCTAVE_VERSION];
else
    engine = ['MATLAB ' version];
end

blas = '';
lapack = '';
try
    blas = version('-blas');
catch
    blas = '';
end
try
    lapack = version('-lapack');
catch
    lapack = '';
end
blas = char(blas);
lapack = char(lapack);

end
