-- The vocabulary of the directory: professions, techniques (with the aliases
-- patients type) and the conditions patients search by.

INSERT INTO professions (slug, name) VALUES
    ('physical-therapist',     'Physical therapist'),
    ('massage-therapist',      'Massage therapist'),
    ('chiropractor',           'Chiropractor'),
    ('occupational-therapist', 'Occupational therapist'),
    ('osteopath',              'Osteopath'),
    ('physiotherapist',        'Physiotherapist'),
    ('myotherapist',           'Myotherapist');

INSERT INTO techniques (slug, name, sort_order) VALUES
    ('myofascial-release',        'Myofascial release', 1),
    ('trigger-point-therapy',     'Trigger point therapy', 2),
    ('deep-tissue-massage',       'Deep tissue massage', 3),
    ('remedial-massage',          'Remedial / therapeutic massage', 4),
    ('swedish-massage',           'Swedish massage', 5),
    ('craniosacral-therapy',      'Craniosacral therapy', 6),
    ('iastm',                     'Instrument-assisted soft tissue mobilisation', 7),
    ('cupping',                   'Cupping', 8),
    ('dry-needling',              'Dry needling', 9),
    ('spinal-manipulation',       'Spinal manipulation', 10),
    ('therapeutic-exercise',      'Therapeutic exercise', 11),
    ('hydrotherapy',              'Hydrotherapy', 12),
    ('heat-therapy',              'Heat therapy', 13),
    ('guided-stretching',         'Guided stretching', 14),
    ('foam-roller-coaching',      'Foam-roller self-treatment coaching', 15),
    ('movement-therapy',          'Yoga / tai chi style movement therapy', 16);

INSERT INTO technique_aliases (alias, technique_id)
SELECT a.alias, t.id FROM (VALUES
    ('MFR', 'myofascial-release'),
    ('myofascial release', 'myofascial-release'),
    ('myofascial release therapy', 'myofascial-release'),
    ('myofascial', 'myofascial-release'),
    ('John F. Barnes', 'myofascial-release'),
    ('trigger point', 'trigger-point-therapy'),
    ('trigger points', 'trigger-point-therapy'),
    ('TPT', 'trigger-point-therapy'),
    ('deep tissue', 'deep-tissue-massage'),
    ('therapeutic massage', 'remedial-massage'),
    ('remedial', 'remedial-massage'),
    ('swedish', 'swedish-massage'),
    ('craniosacral', 'craniosacral-therapy'),
    ('CST', 'craniosacral-therapy'),
    ('IASTM', 'iastm'),
    ('Graston', 'iastm'),
    ('instrument-assisted', 'iastm'),
    ('cupping therapy', 'cupping'),
    ('dry needle', 'dry-needling'),
    ('adjustment', 'spinal-manipulation'),
    ('chiropractic adjustment', 'spinal-manipulation'),
    ('exercise therapy', 'therapeutic-exercise'),
    ('stretching', 'guided-stretching'),
    ('assisted stretching', 'guided-stretching'),
    ('foam rolling', 'foam-roller-coaching'),
    ('foam roller', 'foam-roller-coaching'),
    ('yoga', 'movement-therapy'),
    ('tai chi', 'movement-therapy')
) AS a(alias, slug) JOIN techniques t ON t.slug = a.slug;

INSERT INTO conditions (slug, name) VALUES
    ('fibromyalgia',             'Fibromyalgia'),
    ('chronic-fatigue-syndrome', 'Chronic fatigue syndrome / ME'),
    ('myofascial-pain-syndrome', 'Myofascial pain syndrome'),
    ('chronic-low-back-pain',    'Chronic low back pain'),
    ('neck-shoulder-pain',       'Neck and shoulder pain'),
    ('headaches-tmj',            'Headaches / TMJ'),
    ('sports-injury',            'Sports injury'),
    ('whiplash-trauma',          'Whiplash and other trauma'),
    ('arthritis-pain',           'Arthritis pain');

INSERT INTO condition_aliases (alias, condition_id)
SELECT a.alias, c.id FROM (VALUES
    ('fibro', 'fibromyalgia'),
    ('FM', 'fibromyalgia'),
    ('CFS', 'chronic-fatigue-syndrome'),
    ('ME', 'chronic-fatigue-syndrome'),
    ('ME/CFS', 'chronic-fatigue-syndrome'),
    ('myalgic encephalomyelitis', 'chronic-fatigue-syndrome'),
    ('MPS', 'myofascial-pain-syndrome'),
    ('back pain', 'chronic-low-back-pain'),
    ('low back pain', 'chronic-low-back-pain'),
    ('neck pain', 'neck-shoulder-pain'),
    ('shoulder pain', 'neck-shoulder-pain'),
    ('headache', 'headaches-tmj'),
    ('migraine', 'headaches-tmj'),
    ('TMJ', 'headaches-tmj'),
    ('TMD', 'headaches-tmj'),
    ('sports', 'sports-injury'),
    ('whiplash', 'whiplash-trauma'),
    ('car accident', 'whiplash-trauma'),
    ('arthritis', 'arthritis-pain'),
    ('osteoarthritis', 'arthritis-pain')
) AS a(alias, slug) JOIN conditions c ON c.slug = a.slug;
