"""Default clause texts, seeded into each tenant's clause library (editable there)."""

DEFAULT_CLAUSES: dict[str, dict[str, tuple[str, str]]] = {
    "provider_obligations": {
        "fr": (
            "Obligations du prestataire",
            (
                "Le Prestataire exécute les prestations de maintenance avec le soin et la diligence d'un "
                "professionnel de l'informatique. Il est tenu à ce titre d'une obligation de moyens.\n\n"
                "Le Prestataire s'engage notamment à :\n"
                "1. s'informer sur le système d'information du Client, y compris lorsqu'il ne l'a pas "
                "lui-même conçu, afin d'en assurer la maintenance et d'en prévenir l'obsolescence ;\n"
                "2. informer, conseiller et mettre en garde le Client pendant toute la durée du contrat, "
                "en particulier sur les risques de sécurité, l'obsolescence des matériels et logiciels, "
                "l'insuffisance des sauvegardes et les choix techniques contraires aux règles de l'art ;\n"
                "3. réaliser les types de maintenance souscrits par le Client, selon les modalités et la "
                "périodicité prévues au contrat ;\n"
                "4. respecter les niveaux de service définis au contrat, dans les plages horaires de "
                "couverture convenues ;\n"
                "5. appliquer les correctifs de sécurité, surveiller les vulnérabilités et contribuer à "
                "la conformité du Client au règlement général sur la protection des données ;\n"
                "6. préserver la confidentialité des informations et données auxquelles il a accès.\n\n"
                "Le Prestataire rend compte de son activité en toute transparence. Il adresse au Client, "
                "selon la périodicité prévue au contrat, un rapport présentant les interventions "
                "réalisées, les problèmes résolus, les mises à jour appliquées et les indicateurs de "
                "niveau de service, notamment le taux de résolution dans les délais et le taux de "
                "disponibilité."
            ),
        ),
        "en": (
            "Provider obligations",
            (
                "The Provider shall perform the maintenance services with the care and diligence expected "
                "of a professional IT service provider. In doing so, it is bound by an obligation of "
                "means (best endeavours).\n\n"
                "In particular, the Provider shall:\n"
                "1. familiarise itself with the Client's information system, including any part it did "
                "not design, so as to maintain it and prevent its obsolescence;\n"
                "2. inform, advise and warn the Client throughout the term of the contract, especially "
                "about security risks, obsolete hardware and software, inadequate backups and technical "
                "choices that depart from good practice;\n"
                "3. perform the types of maintenance subscribed by the Client, in the manner and at the "
                "frequency set out in the contract;\n"
                "4. meet the service levels set out in the contract, within the agreed coverage hours;\n"
                "5. apply security patches, monitor vulnerabilities and help the Client comply with the "
                "General Data Protection Regulation;\n"
                "6. keep confidential all information and data to which it has access.\n\n"
                "The Provider shall report on its work openly. At the intervals set out in the contract, "
                "it sends the Client a report listing the interventions carried out, the problems solved, "
                "the updates applied and the service-level indicators, including the rate of resolution "
                "within target and the availability rate."
            ),
        ),
    },
    "client_obligations": {
        "fr": (
            "Obligations du client",
            (
                "Le Client s'engage à collaborer activement et de bonne foi avec le Prestataire, "
                "condition essentielle de la bonne exécution des prestations. Il s'engage notamment à :\n"
                "1. permettre et organiser l'accès du Prestataire à ses locaux, équipements et systèmes, "
                "à distance comme sur site, et lui communiquer les informations, identifiants et "
                "documents nécessaires ;\n"
                "2. signaler sans délai toute anomalie, panne, comportement anormal ou modification "
                "importante de son système ;\n"
                "3. tenir à jour la liste des fonctionnalités, des anomalies constatées et des "
                "interventions réalisées ;\n"
                "4. suivre les recommandations techniques et organisationnelles du Prestataire ;\n"
                "5. utiliser les matériels et logiciels conformément à leur destination et s'abstenir "
                "d'installer des logiciels non autorisés ;\n"
                "6. protéger ses propres systèmes, notamment par la sécurisation de ses mots de passe et "
                "la régularité de ses licences ;\n"
                "7. régler les sommes dues aux échéances convenues.\n\n"
                "Le temps pendant lequel le Prestataire attend une information, un accès ou une action du "
                "Client n'est pas décompté dans les délais de prise en charge et de résolution. Le "
                "manquement du Client à ses obligations exonère le Prestataire de sa responsabilité à due "
                "concurrence.\n\n"
                "En cas de défaut de paiement à l'échéance, le Prestataire peut, après mise en demeure "
                "restée sans effet, suspendre ses interventions jusqu'au complet paiement des sommes "
                "dues, sans que cette suspension puisse lui être reprochée."
            ),
        ),
        "en": (
            "Client obligations",
            (
                "The Client shall cooperate actively and in good faith with the Provider, which is "
                "essential to the proper performance of the services. In particular, the Client shall:\n"
                "1. allow and arrange the Provider's access to its premises, equipment and systems, both "
                "remotely and on site, and supply the information, credentials and documents required;\n"
                "2. report promptly any anomaly, failure, abnormal behaviour or significant change to its "
                "system;\n"
                "3. keep up to date the list of functions, known anomalies and interventions carried out;\n"
                "4. follow the Provider's technical and organisational recommendations;\n"
                "5. use the hardware and software for their intended purpose and refrain from installing "
                "unauthorised software;\n"
                "6. protect its own systems, in particular by keeping its passwords secure and its "
                "software properly licensed;\n"
                "7. pay the amounts due on the agreed dates.\n\n"
                "Any time during which the Provider is waiting for information, access or action from the "
                "Client does not count towards the response and resolution times. Where the Client fails "
                "to meet its obligations, the Provider is released from liability to the corresponding "
                "extent.\n\n"
                "If an invoice remains unpaid when due, the Provider may, after a formal notice that has "
                "gone unheeded, suspend its interventions until full payment, and such suspension shall "
                "not constitute a breach on its part."
            ),
        ),
    },
    "acceptance": {
        "fr": (
            "Recette",
            (
                "Les prestations donnant lieu à un livrable, notamment les opérations de maintenance "
                "évolutive et les corrections d'anomalies importantes, font l'objet d'une recette "
                "destinée à vérifier leur conformité à la demande du Client et aux spécifications "
                "convenues.\n\n"
                "Le Prestataire notifie au Client la mise à disposition du livrable, accompagnée le cas "
                "échéant d'une note décrivant les modifications apportées. Le Client procède aux "
                "vérifications dans le délai convenu entre les parties ou, à défaut, dans un délai de dix "
                "jours ouvrés, sur la base des critères d'acceptation et des scénarios de test définis "
                "pour la prestation concernée.\n\n"
                "À l'issue de ces vérifications, le Client prononce la recette, avec ou sans réserves, ou "
                "la refuse par écrit de manière motivée. Les réserves sont qualifiées de :\n"
                "1. bloquantes, lorsqu'elles empêchent l'utilisation de la fonctionnalité : elles font "
                "obstacle à la recette ;\n"
                "2. majeures, lorsqu'elles en dégradent sensiblement l'usage : elles sont levées dans un "
                "délai convenu ;\n"
                "3. mineures : elles n'empêchent pas la recette et sont traitées au titre de la "
                "maintenance corrective.\n\n"
                "Le silence du Client à l'expiration du délai de vérification, ou la mise en production "
                "du livrable à son initiative, vaut recette sans réserve. La recette ne prive pas le "
                "Client du bénéfice de la maintenance corrective pour les anomalies révélées "
                "ultérieurement."
            ),
        ),
        "en": (
            "Acceptance",
            (
                "Services that produce a deliverable, in particular evolutive maintenance work and the "
                "correction of significant anomalies, are subject to acceptance testing to check that "
                "they conform to the Client's request and to the agreed specifications.\n\n"
                "The Provider notifies the Client when the deliverable is available, together with a note "
                "describing the changes made where relevant. The Client carries out its checks within the "
                "period agreed between the parties or, failing that, within ten working days, against the "
                "acceptance criteria and test scenarios defined for the service concerned.\n\n"
                "Once its checks are complete, the Client accepts the deliverable, with or without "
                "reservations, or rejects it in writing, stating its reasons. Reservations are classified "
                "as:\n"
                "1. blocking, where the feature cannot be used: acceptance is withheld until they are "
                "cleared;\n"
                "2. major, where use is significantly impaired: they are cleared within an agreed period;\n"
                "3. minor: they do not prevent acceptance and are handled as corrective maintenance.\n\n"
                "If the Client has not responded by the end of the checking period, or puts the "
                "deliverable into production itself, the deliverable is deemed accepted without "
                "reservation. Acceptance does not deprive the Client of corrective maintenance for "
                "anomalies discovered later."
            ),
        ),
    },
    "confidentiality": {
        "fr": (
            "Confidentialité",
            (
                "Chaque partie s'engage à tenir strictement confidentielles les informations de toute "
                "nature dont elle a connaissance à l'occasion de l'exécution du contrat, notamment les "
                "données du Client et de ses propres clients, les configurations de réseau, les "
                "identifiants et mots de passe, les vulnérabilités de sécurité, ainsi que les "
                "informations techniques, commerciales et financières de l'autre partie.\n\n"
                "Ces informations ne peuvent être utilisées que pour l'exécution du contrat. Elles ne "
                "sont communiquées qu'aux seuls membres du personnel et sous-traitants qui ont besoin "
                "d'en connaître et qui sont tenus à une obligation de confidentialité au moins "
                "équivalente, la partie concernée répondant de leur respect.\n\n"
                "Ne sont pas couvertes par la présente obligation les informations :\n"
                "1. tombées dans le domaine public sans faute de la partie qui les a reçues ;\n"
                "2. déjà connues de celle-ci ou développées par elle de manière indépendante ;\n"
                "3. dont la communication est exigée par la loi ou par une décision de justice ou d'une "
                "autorité administrative, dans la stricte limite de cette exigence.\n\n"
                "La présente obligation s'applique pendant toute la durée du contrat et pendant cinq ans "
                "après son terme, quelle qu'en soit la cause. À la fin du contrat, chaque partie restitue "
                "ou détruit les informations confidentielles de l'autre partie, sous réserve des "
                "dispositions relatives à la réversibilité."
            ),
        ),
        "en": (
            "Confidentiality",
            (
                "Each party shall keep strictly confidential all information of any kind that comes to "
                "its knowledge in performing the contract, including the data of the Client and of its "
                "own customers, network configurations, credentials and passwords, security "
                "vulnerabilities, and the other party's technical, commercial and financial information.\n\n"
                "Such information may be used solely for the purpose of performing the contract. It may "
                "be disclosed only to those employees and subcontractors who need to know it and who are "
                "bound by confidentiality obligations at least as protective, and each party is "
                "answerable for their compliance.\n\n"
                "This obligation does not apply to information that:\n"
                "1. has entered the public domain through no fault of the receiving party;\n"
                "2. was already known to the receiving party or was developed by it independently;\n"
                "3. must be disclosed by law or by order of a court or administrative authority, to the "
                "extent strictly required.\n\n"
                "This obligation applies throughout the term of the contract and for five years after it "
                "ends, whatever the reason. When the contract ends, each party returns or destroys the "
                "other party's confidential information, subject to the provisions on reversibility."
            ),
        ),
    },
    "gdpr": {
        "fr": (
            "Protection des données personnelles",
            (
                "Pour l'exécution des prestations, le Prestataire accède à des données à caractère "
                "personnel dont le Client est responsable de traitement. Il agit en qualité de "
                "sous-traitant au sens de l'article 28 du règlement (UE) 2016/679 (RGPD). Le traitement a "
                "pour objet et pour durée ceux des prestations de maintenance et porte sur les données "
                "présentes dans les systèmes maintenus.\n\n"
                "Le Prestataire s'engage à :\n"
                "1. ne traiter ces données que sur instruction documentée du Client et l'informer si une "
                "instruction lui paraît contraire à la réglementation ;\n"
                "2. limiter ses accès au strict nécessaire et soumettre les personnes autorisées à une "
                "obligation de confidentialité ;\n"
                "3. mettre en œuvre les mesures techniques et organisationnelles de sécurité prévues à "
                "l'article 32 du RGPD ;\n"
                "4. ne recourir à un sous-traitant ultérieur qu'avec l'autorisation écrite préalable du "
                "Client, en lui imposant les mêmes obligations ;\n"
                "5. ne transférer aucune donnée hors de l'Union européenne sans garanties appropriées ;\n"
                "6. aider le Client à répondre aux demandes d'exercice des droits des personnes "
                "concernées et à réaliser ses analyses d'impact ;\n"
                "7. notifier au Client toute violation de données dans les meilleurs délais après en "
                "avoir pris connaissance ;\n"
                "8. mettre à sa disposition les informations nécessaires pour démontrer sa conformité et "
                "permettre la réalisation d'audits.\n\n"
                "Au terme du contrat, le Prestataire restitue ou supprime les données, au choix du "
                "Client, et en supprime les copies, sauf obligation légale de conservation."
            ),
        ),
        "en": (
            "Personal data protection",
            (
                "In performing the services, the Provider has access to personal data for which the "
                "Client is the controller. The Provider acts as a processor within the meaning of Article "
                "28 of Regulation (EU) 2016/679 (GDPR). The subject matter and duration of the processing "
                "are those of the maintenance services, and it covers the data held in the systems "
                "maintained.\n\n"
                "The Provider shall:\n"
                "1. process such data only on the Client's documented instructions and inform the Client "
                "if, in its opinion, an instruction infringes data protection law;\n"
                "2. restrict its access to what is strictly necessary and ensure that authorised persons "
                "are bound by confidentiality;\n"
                "3. implement the technical and organisational security measures required by Article 32 "
                "GDPR;\n"
                "4. engage another processor only with the Client's prior written authorisation, and "
                "impose the same obligations on it;\n"
                "5. transfer no data outside the European Union without appropriate safeguards;\n"
                "6. assist the Client in responding to requests from data subjects exercising their "
                "rights and in carrying out data protection impact assessments;\n"
                "7. notify the Client of any personal data breach without undue delay after becoming "
                "aware of it;\n"
                "8. make available to the Client all information needed to demonstrate compliance and "
                "allow for audits.\n\n"
                "When the contract ends, the Provider returns or deletes the data, at the Client's "
                "choice, and deletes existing copies unless the law requires their retention."
            ),
        ),
    },
    "subcontracting": {
        "fr": (
            "Sous-traitance",
            (
                "Le Prestataire exécute personnellement les prestations. Il ne peut en sous-traiter tout "
                "ou partie qu'avec l'accord écrit préalable du Client, auquel il communique l'identité du "
                "sous-traitant envisagé et la nature des prestations confiées. Les éditeurs et "
                "fournisseurs dont le Prestataire se borne à revendre ou à installer les produits ne sont "
                "pas considérés comme des sous-traitants au sens du présent article.\n\n"
                "Le Prestataire choisit des sous-traitants présentant les compétences et les garanties "
                "nécessaires. Il leur impose, par écrit, des obligations de confidentialité, de sécurité "
                "et de protection des données au moins équivalentes à celles qu'il supporte au titre du "
                "contrat. Lorsque le sous-traitant est amené à traiter des données à caractère personnel "
                "pour le compte du Client, il est soumis aux dispositions du contrat relatives aux "
                "sous-traitants ultérieurs.\n\n"
                "Le Prestataire demeure seul responsable envers le Client de la bonne exécution des "
                "prestations sous-traitées, comme s'il les avait exécutées lui-même. Les engagements de "
                "niveau de service s'appliquent sans changement aux prestations sous-traitées.\n\n"
                "Le Prestataire tient à jour la liste des sous-traitants agréés intervenant au titre du "
                "contrat et la communique au Client sur simple demande."
            ),
        ),
        "en": (
            "Subcontracting",
            (
                "The Provider shall perform the services itself. It may subcontract all or part of them "
                "only with the Client's prior written consent, after informing the Client of the proposed "
                "subcontractor's identity and of the services to be entrusted to it. Software publishers "
                "and suppliers whose products the Provider merely resells or installs are not "
                "subcontractors within the meaning of this clause.\n\n"
                "The Provider shall select subcontractors with the necessary skills and guarantees. It "
                "shall impose on them, in writing, confidentiality, security and data protection "
                "obligations at least equivalent to its own under the contract. Where a subcontractor "
                "processes personal data on the Client's behalf, the provisions of the contract governing "
                "sub-processors apply to it.\n\n"
                "The Provider remains solely liable to the Client for the proper performance of "
                "subcontracted services, as if it had performed them itself. The service-level "
                "commitments apply to subcontracted services without change.\n\n"
                "The Provider keeps an up-to-date list of the approved subcontractors involved in the "
                "contract and provides it to the Client on request."
            ),
        ),
    },
    "liability": {
        "fr": (
            "Responsabilité et assurance",
            (
                "Le Prestataire est tenu d'une obligation de moyens. Sa responsabilité ne peut être "
                "engagée qu'en cas de faute prouvée dans l'exécution de ses obligations, et uniquement "
                "pour les dommages directs qui en résultent.\n\n"
                "Le Prestataire n'est pas responsable des dommages résultant :\n"
                "1. d'un manquement du Client à ses obligations, notamment de coopération, ou du "
                "non-respect des recommandations du Prestataire ;\n"
                "2. d'une utilisation non conforme des matériels et logiciels ou d'une intervention d'un "
                "tiers non autorisée par le Prestataire ;\n"
                "3. d'un élément exclu du périmètre du contrat ;\n"
                "4. d'un cas de force majeure.\n\n"
                "Lorsque le dommage a plusieurs causes, la responsabilité est partagée à proportion de la "
                "part de chacun.\n\n"
                "Sont notamment considérés comme des dommages indirects la perte de chiffre d'affaires, "
                "de clientèle, d'exploitation ou d'image. Toutes causes confondues, la responsabilité du "
                "Prestataire est limitée au montant hors taxes des sommes versées par le Client au titre "
                "du contrat au cours des douze mois précédant le fait générateur. Cette limitation ne "
                "s'applique ni en cas de faute lourde ou dolosive, ni aux dommages corporels.\n\n"
                "Chaque partie déclare être titulaire d'une police d'assurance de responsabilité civile "
                "professionnelle, souscrite auprès d'une compagnie notoirement solvable, couvrant les "
                "conséquences pécuniaires de sa responsabilité au titre du contrat. Elle s'engage à la "
                "maintenir pendant toute la durée du contrat et à en justifier sur simple demande."
            ),
        ),
        "en": (
            "Liability and insurance",
            (
                "The Provider is bound by an obligation of means. It may be held liable only where fault "
                "in the performance of its obligations is proven, and only for the direct damage "
                "resulting from it.\n\n"
                "The Provider is not liable for damage resulting from:\n"
                "1. the Client's failure to meet its obligations, in particular its duty to cooperate, or "
                "to follow the Provider's recommendations;\n"
                "2. improper use of the hardware or software, or work by a third party not authorised by "
                "the Provider;\n"
                "3. any item excluded from the scope of the contract;\n"
                "4. a force majeure event.\n\n"
                "Where damage has several causes, liability is shared in proportion to each party's "
                "contribution.\n\n"
                "Loss of revenue, customers, business or reputation is regarded as indirect damage. The "
                "Provider's total liability, on all grounds combined, is capped at the amount excluding "
                "VAT paid by the Client under the contract in the twelve months preceding the event "
                "giving rise to the claim. This cap does not apply in the event of gross negligence or "
                "wilful misconduct, nor to personal injury.\n\n"
                "Each party represents that it holds professional liability insurance with a reputable "
                "insurer, covering the financial consequences of its liability under the contract. It "
                "undertakes to keep such insurance in force throughout the term of the contract and to "
                "provide evidence of it on request."
            ),
        ),
    },
    "termination": {
        "fr": (
            "Résiliation",
            (
                "Chaque partie peut mettre fin au contrat dans les conditions de durée et de préavis "
                "prévues au contrat, par lettre recommandée avec demande d'avis de réception.\n\n"
                "En cas de manquement grave de l'une des parties à ses obligations, notamment le "
                "non-respect répété des niveaux de service, la violation des obligations de "
                "confidentialité ou de protection des données, ou le défaut de paiement, l'autre partie "
                "peut résilier le contrat de plein droit. La résiliation prend effet trente jours après "
                "une mise en demeure adressée par lettre recommandée avec demande d'avis de réception et "
                "restée sans effet, sans préjudice des dommages et intérêts auxquels elle pourrait "
                "prétendre.\n\n"
                "Aucune partie n'est responsable d'un manquement dû à un cas de force majeure au sens de "
                "l'article 1218 du Code civil. La partie empêchée en informe l'autre sans délai et "
                "l'exécution des obligations concernées est suspendue. Si l'empêchement se prolonge "
                "au-delà de deux mois, chaque partie peut résilier le contrat par lettre recommandée, "
                "sans indemnité.\n\n"
                "Quelle qu'en soit la cause, la fin du contrat ne libère pas le Client du paiement des "
                "prestations exécutées jusqu'à sa date d'effet. Les stipulations relatives à la "
                "confidentialité, à la protection des données et à la réversibilité demeurent en vigueur "
                "après la fin du contrat."
            ),
        ),
        "en": (
            "Termination",
            (
                "Either party may terminate the contract in accordance with the duration and notice "
                "period set out in the contract, by registered letter with acknowledgement of receipt.\n\n"
                "If either party commits a serious breach of its obligations, such as repeated failure to "
                "meet the service levels, breach of the confidentiality or data protection obligations, "
                "or failure to pay, the other party may terminate the contract as of right. Termination "
                "takes effect thirty days after a formal notice sent by registered letter with "
                "acknowledgement of receipt has gone unheeded, without prejudice to any damages the "
                "terminating party may claim.\n\n"
                "Neither party is liable for a failure caused by force majeure within the meaning of "
                "Article 1218 of the French Civil Code. The affected party shall inform the other without "
                "delay, and performance of the obligations concerned is suspended. If the impediment "
                "lasts more than two months, either party may terminate the contract by registered "
                "letter, without compensation.\n\n"
                "Whatever the cause of termination, the Client remains liable to pay for the services "
                "performed up to the effective date. The provisions on confidentiality, data protection "
                "and reversibility survive the end of the contract."
            ),
        ),
    },
    "reversibility": {
        "fr": (
            "Réversibilité",
            (
                "À la fin du contrat, quelle qu'en soit la cause, ou à la demande du Client formulée "
                "pendant la période de préavis, le Prestataire s'engage à permettre la reprise des "
                "prestations par le Client ou par le nouveau prestataire désigné par lui, dans des "
                "conditions garantissant la continuité du service.\n\n"
                "À ce titre, le Prestataire remet au Client :\n"
                "1. l'ensemble des accès, identifiants, mots de passe, clés et comptes d'administration "
                "relatifs aux systèmes maintenus, y compris les accès aux noms de domaine et aux "
                "hébergements ;\n"
                "2. l'intégralité des données du Client, dans un format standard, ouvert et exploitable ;\n"
                "3. la documentation technique à jour, notamment les schémas d'architecture, les "
                "configurations, les procédures d'exploitation et de sauvegarde, ainsi que l'historique "
                "des interventions.\n\n"
                "Le Prestataire continue d'exécuter les prestations jusqu'à la date d'effet de la fin du "
                "contrat, sans dégradation des niveaux de service. Il apporte au nouveau prestataire les "
                "informations et explications raisonnablement nécessaires au transfert. Les prestations "
                "d'accompagnement allant au-delà de cette remise font l'objet d'un devis préalable établi "
                "sur la base des tarifs du contrat.\n\n"
                "Une fois le transfert confirmé par le Client, le Prestataire supprime les données et "
                "accès qu'il détient encore, sous réserve de ses obligations légales de conservation, et "
                "en atteste par écrit."
            ),
        ),
        "en": (
            "Reversibility",
            (
                "When the contract ends, for whatever reason, or at the Client's request made during the "
                "notice period, the Provider shall enable the Client, or a new provider appointed by the "
                "Client, to take over the services in a way that ensures continuity of service.\n\n"
                "To that end, the Provider hands over to the Client:\n"
                "1. all access rights, credentials, passwords, keys and administrator accounts for the "
                "systems maintained, including access to domain names and hosting;\n"
                "2. all of the Client's data, in a standard, open and usable format;\n"
                "3. up-to-date technical documentation, including architecture diagrams, configurations, "
                "operating and backup procedures, and the history of interventions.\n\n"
                "The Provider continues to perform the services until the contract ends, without any "
                "decline in service levels. It gives the new provider the information and explanations "
                "reasonably required for the handover. Any transition assistance beyond this handover is "
                "subject to a prior quote based on the contract rates.\n\n"
                "Once the Client has confirmed that the handover is complete, the Provider deletes any "
                "data and access it still holds, subject to its legal retention obligations, and confirms "
                "this in writing."
            ),
        ),
    },
    "disputes": {
        "fr": (
            "Règlement des différends",
            (
                "Le contrat est régi par le droit français.\n\n"
                "En cas de différend relatif à la formation, à l'interprétation, à l'exécution ou à la "
                "cessation du contrat, les parties s'efforcent de le régler à l'amiable. La partie qui "
                "invoque le différend le notifie à l'autre par écrit, en exposant précisément ses griefs. "
                "Les représentants habilités des parties se réunissent alors dans les quinze jours "
                "suivant cette notification afin de rechercher une solution.\n\n"
                "À défaut d'accord dans un délai de trente jours à compter de la notification, les "
                "parties peuvent, d'un commun accord, recourir à une médiation conduite par un médiateur "
                "choisi conjointement ou, à défaut, désigné par un centre de médiation reconnu. Les frais "
                "de médiation sont partagés par moitié. Les échanges intervenus au cours de la médiation "
                "demeurent confidentiels.\n\n"
                "Si le différend n'est pas résolu à l'issue de ces démarches, il est porté devant les "
                "tribunaux compétents du ressort du siège social du Prestataire, auxquels compétence "
                "exclusive est attribuée, y compris en cas de pluralité de défendeurs ou d'appel en "
                "garantie.\n\n"
                "Le recours préalable à la procédure amiable ne fait pas obstacle à la saisine du juge "
                "des référés pour obtenir toute mesure urgente ou conservatoire. Pendant toute la durée "
                "de la procédure amiable, les parties continuent d'exécuter leurs obligations."
            ),
        ),
        "en": (
            "Dispute resolution",
            (
                "The contract is governed by French law.\n\n"
                "Any dispute relating to the formation, interpretation, performance or termination of the "
                "contract shall first be the subject of an attempt at amicable settlement. The party "
                "raising the dispute notifies the other in writing, setting out its grievances precisely. "
                "The parties' authorised representatives then meet within fifteen days of that notice to "
                "seek a solution.\n\n"
                "If no agreement is reached within thirty days of the notice, the parties may jointly "
                "agree to refer the matter to mediation by a mediator chosen by them or, failing that, "
                "appointed by a recognised mediation centre. The cost of mediation is shared equally. "
                "Exchanges during the mediation remain confidential.\n\n"
                "If the dispute is not resolved by these means, it shall be brought before the competent "
                "courts for the place of the Provider's registered office, which shall have exclusive "
                "jurisdiction, including where there are several defendants or third-party claims.\n\n"
                "Recourse to the amicable procedure does not prevent either party from applying to the "
                "court for urgent interim or protective measures. The parties continue to perform their "
                "obligations while the amicable procedure is under way."
            ),
        ),
    },
}

ORDER: tuple[str, ...] = (
    "provider_obligations",
    "client_obligations",
    "acceptance",
    "confidentiality",
    "gdpr",
    "subcontracting",
    "liability",
    "termination",
    "reversibility",
    "disputes",
)
