function s = passFail(tf)
%PASSFAIL 'identical' for true, 'DIFFERENT' for false (report helper).
if tf
    s = 'identical';
else
    s = 'DIFFERENT';
end
end
