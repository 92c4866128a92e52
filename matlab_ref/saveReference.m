function file = saveReference(outdir, name, S, meta)
%SAVEREFERENCE Write one reference output file.
%   file = saveReference(outdir, name, S, meta) copies the fields of the
%   struct meta (engine, blas, generated_by, ...) into the struct S and
%   saves every field of S as a variable of outdir/name in MATLAB v7
%   format, which scipy.io.loadmat, MATLAB and Octave all read.

names = fieldnames(meta);
for k = 1:numel(names)
    S.(names{k}) = meta.(names{k});
end
file = fullfile(outdir, name);
save(file, '-struct', 'S', '-v7');
fprintf('wrote %s\n', file);

end
